/* evs-hot-pixels-filter.h
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
#include "evs-reader.h"

G_BEGIN_DECLS

#define EVS_TYPE_HOT_PIXELS_FILTER (evs_hot_pixels_filter_get_type ())

G_DECLARE_FINAL_TYPE (EvsHotPixelsFilter, evs_hot_pixels_filter, EVS, HOT_PIXELS_FILTER, EvsFilter)

EvsFilter *evs_hot_pixels_filter_new (void);

typedef enum
{
  EVS_HOT_PIXELS_CRITERION_MAX_RATE,
  EVS_HOT_PIXELS_CRITERION_PERCENTILE,
  EVS_HOT_PIXELS_CRITERION_MASK,
} EvsHotPixelsCriterion;

#define EVS_TYPE_HOT_PIXELS_CRITERION (evs_hot_pixels_criterion_get_type ())
GType     evs_hot_pixels_criterion_get_type        (void) G_GNUC_CONST;



gboolean  evs_hot_pixels_filter_needs_learning     (EvsHotPixelsFilter  *self);
void      evs_hot_pixels_filter_learn_counts       (EvsHotPixelsFilter  *self,
                                                    const guint32       *counts,
                                                    guint                width,
                                                    guint                height,
                                                    gint64               duration_us);
gboolean  evs_hot_pixels_filter_learn              (EvsHotPixelsFilter  *self,
                                                    EvsReader           *reader,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
gboolean  evs_hot_pixels_filter_is_hot             (EvsHotPixelsFilter  *self,
                                                    guint                x,
                                                    guint                y);
guint32  *evs_hot_pixels_filter_get_hot_pixels     (EvsHotPixelsFilter  *self,
                                                    guint               *n_pixels);
gboolean  evs_hot_pixels_filter_load_mask          (EvsHotPixelsFilter  *self,
                                                    const char          *path,
                                                    GError             **error);
void      evs_hot_pixels_filter_set_mask           (EvsHotPixelsFilter  *self,
                                                    const guint32       *pixels,
                                                    guint                n_pixels,
                                                    guint                width,
                                                    guint                height);
gboolean  evs_hot_pixels_filter_save_mask          (EvsHotPixelsFilter  *self,
                                                    const char          *path,
                                                    GError             **error);

G_END_DECLS
