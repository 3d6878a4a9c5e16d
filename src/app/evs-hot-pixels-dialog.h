/* evs-hot-pixels-dialog.h
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

#include <adwaita.h>

#include "evs-workbench.h"

G_BEGIN_DECLS

#define EVS_TYPE_HOT_PIXELS_DIALOG (evs_hot_pixels_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EvsHotPixelsDialog, evs_hot_pixels_dialog, EVS, HOT_PIXELS_DIALOG, AdwWindow)

EvsHotPixelsDialog *evs_hot_pixels_dialog_new           (GtkWindow          *parent,
                                                         EvsWorkbench       *workbench);
double              evs_hot_pixels_dialog_get_threshold (EvsHotPixelsDialog *self);
void                evs_hot_pixels_dialog_set_threshold (EvsHotPixelsDialog *self,
                                                         double              max_rate_hz);
gboolean            evs_hot_pixels_dialog_get_ready     (EvsHotPixelsDialog *self);
guint64             evs_hot_pixels_dialog_get_n_hot     (EvsHotPixelsDialog *self);
void                evs_hot_pixels_dialog_toggle_pixel  (EvsHotPixelsDialog *self,
                                                         guint               x,
                                                         guint               y);
guint32            *evs_hot_pixels_dialog_get_mask      (EvsHotPixelsDialog *self,
                                                         guint              *n_pixels);
gboolean            evs_hot_pixels_dialog_save_mask     (EvsHotPixelsDialog *self,
                                                         const char         *path,
                                                         GError            **error);
gboolean            evs_hot_pixels_dialog_load_mask     (EvsHotPixelsDialog *self,
                                                         const char         *path,
                                                         GError            **error);

G_END_DECLS
