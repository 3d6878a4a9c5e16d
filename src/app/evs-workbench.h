/* evs-workbench.h
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

#include <gio/gio.h>

#include "evs-preview.h"
#include "evs-roi-filter.h"
#include "evs-session.h"

G_BEGIN_DECLS

typedef enum
{
  EVS_COMPARE_RAW,
  EVS_COMPARE_FILTERED,
  EVS_COMPARE_SIDE_BY_SIDE,
  EVS_COMPARE_REMOVED,
} EvsCompareMode;

#define EVS_TYPE_COMPARE_MODE (evs_compare_mode_get_type ())
GType evs_compare_mode_get_type (void) G_GNUC_CONST;

#define EVS_WORKBENCH_DEBOUNCE_MS 50

#define EVS_TYPE_WORKBENCH (evs_workbench_get_type ())

G_DECLARE_FINAL_TYPE (EvsWorkbench, evs_workbench, EVS, WORKBENCH, GObject)

EvsWorkbench   *evs_workbench_new              (EvsSession      *session);
EvsSession     *evs_workbench_get_session      (EvsWorkbench    *self);
EvsPipeline    *evs_workbench_get_pipeline     (EvsWorkbench    *self);
EvsPreview     *evs_workbench_get_preview      (EvsWorkbench    *self);
gboolean        evs_workbench_get_busy         (EvsWorkbench    *self);
EvsCompareMode  evs_workbench_get_compare_mode (EvsWorkbench    *self);
void            evs_workbench_set_compare_mode (EvsWorkbench    *self,
                                                EvsCompareMode   mode);
EvsFilter      *evs_workbench_add_filter       (EvsWorkbench    *self,
                                                const char      *type_name,
                                                GError         **error);
gboolean        evs_workbench_get_can_undo     (EvsWorkbench    *self);
gboolean        evs_workbench_get_can_redo     (EvsWorkbench    *self);
void            evs_workbench_undo             (EvsWorkbench    *self);
void            evs_workbench_redo             (EvsWorkbench    *self);
void            evs_workbench_commit           (EvsWorkbench    *self);
gboolean        evs_workbench_load_preset      (EvsWorkbench    *self,
                                                const char      *path,
                                                GError         **error);
gboolean        evs_workbench_save_preset      (EvsWorkbench    *self,
                                                const char      *path,
                                                GError         **error);
EvsRoiFilter   *evs_workbench_ensure_roi       (EvsWorkbench    *self);
EvsRoiFilter   *evs_workbench_find_roi         (EvsWorkbench    *self,
                                                guint           *position);
void            evs_workbench_set_rois         (EvsWorkbench    *self,
                                                const EvsRoiRect *rects,
                                                guint            n_rects);

void            evs_workbench_ensure_counts    (EvsWorkbench    *self);
GBytes         *evs_workbench_get_counts       (EvsWorkbench    *self,
                                                guint           *width,
                                                guint           *height,
                                                gint64          *duration_us);

G_END_DECLS
