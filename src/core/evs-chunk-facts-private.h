/* evs-chunk-facts-private.h
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
 * What the reader's validation learnt of a chunk, handed along the export
 * so that the filters and the writer need not measure it again.  Every
 * fact holds for any subset of the events too (filters only drop events):
 * no x above @max_x, no y above @max_y and, when @sorted, times that never
 * go backwards within the chunk.
 */
typedef struct
{
  guint16  max_x;
  guint16  max_y;
  gboolean sorted;
} EvsChunkFacts;

G_END_DECLS
