/* evs-polarity-filter.h
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

#include "evs-filter.h"

G_BEGIN_DECLS

#define EVS_TYPE_POLARITY_FILTER (evs_polarity_filter_get_type ())

G_DECLARE_FINAL_TYPE (EvsPolarityFilter, evs_polarity_filter, EVS, POLARITY_FILTER, EvsFilter)

EvsFilter *evs_polarity_filter_new (void);

typedef enum
{
  EVS_POLARITY_KEEP_ON,
  EVS_POLARITY_KEEP_OFF,
} EvsPolarityKeep;

#define EVS_TYPE_POLARITY_KEEP (evs_polarity_keep_get_type ())
GType evs_polarity_keep_get_type (void) G_GNUC_CONST;

G_END_DECLS
