/* evs-preview-view.h
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

#include <gtk/gtk.h>

#include "evs-workbench.h"

G_BEGIN_DECLS

#define EVS_TYPE_PREVIEW_VIEW (evs_preview_view_get_type ())

G_DECLARE_FINAL_TYPE (EvsPreviewView, evs_preview_view, EVS, PREVIEW_VIEW, GtkWidget)

GtkWidget    *evs_preview_view_new             (void);
EvsWorkbench *evs_preview_view_get_workbench   (EvsPreviewView *self);
void          evs_preview_view_set_workbench   (EvsPreviewView *self,
                                                EvsWorkbench   *workbench);
double        evs_preview_view_get_zoom        (EvsPreviewView *self);
void          evs_preview_view_set_zoom        (EvsPreviewView *self,
                                                double          zoom);
int           evs_preview_view_get_selected_roi (EvsPreviewView *self);
gboolean      evs_preview_view_widget_to_sensor (EvsPreviewView *self,
                                                double          wx,
                                                double          wy,
                                                double         *sx,
                                                double         *sy);

G_END_DECLS
