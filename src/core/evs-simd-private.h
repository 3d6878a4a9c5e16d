/* evs-simd-private.h
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * The widest vector level every hot loop may use on this CPU, probed once.
 * EVS_SIMD_AVX512 means AVX-512 F/BW/VL/VBMI/VBMI2/BITALG with BMI2 (what
 * the EVT 3.0 decoder and encoder need; the filters and the pipeline use
 * a subset).  EVS_DISABLE_AVX512 in the environment caps it at AVX2,
 * EVS_DISABLE_AVX2 at the baseline, so that tests can run every path.
 */
typedef enum {
  EVS_SIMD_NONE,
  EVS_SIMD_AVX2,
  EVS_SIMD_AVX512
} EvsSimdLevel;

EvsSimdLevel _evs_simd_level (void);

G_END_DECLS
