/* evs-roi-filter.h
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

#define EVS_TYPE_ROI_FILTER (evs_roi_filter_get_type ())

G_DECLARE_FINAL_TYPE (EvsRoiFilter, evs_roi_filter, EVS, ROI_FILTER, EvsFilter)

EvsFilter *evs_roi_filter_new (void);

/**
 * EvsRoiRect:
 *
 * A rectangle in sensor coordinates, bounds inclusive.
 */
typedef struct
{
  guint16 x_min;
  guint16 x_max;
  guint16 y_min;
  guint16 y_max;
} EvsRoiRect;

void              evs_roi_filter_add_rect    (EvsRoiFilter     *self,
                                              const EvsRoiRect *rect);
void              evs_roi_filter_clear_rects (EvsRoiFilter     *self);
const EvsRoiRect *evs_roi_filter_get_rects   (EvsRoiFilter     *self,
                                              guint            *n_rects);

G_END_DECLS
