/* evs-export-dialog.h
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

#include "evs-session.h"

G_BEGIN_DECLS

typedef enum
{
  EVS_EXPORT_RANGE_ALL,
  EVS_EXPORT_RANGE_WINDOW,
  EVS_EXPORT_RANGE_CUSTOM,
  EVS_EXPORT_RANGE_SELECTION,
} EvsExportRange;

#define EVS_TYPE_EXPORT_DIALOG (evs_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (EvsExportDialog, evs_export_dialog, EVS, EXPORT_DIALOG, AdwWindow)

EvsExportDialog *evs_export_dialog_new               (GtkWindow       *parent,
                                                      EvsSession      *session);
void             evs_export_dialog_set_format        (EvsExportDialog *self,
                                                      EvsFormat        format);
EvsFormat        evs_export_dialog_get_format        (EvsExportDialog *self);
void             evs_export_dialog_set_output_path   (EvsExportDialog *self,
                                                      const char      *path);
const char      *evs_export_dialog_get_output_path   (EvsExportDialog *self);
void             evs_export_dialog_set_range         (EvsExportDialog *self,
                                                      EvsExportRange   range);
void             evs_export_dialog_set_custom_range  (EvsExportDialog *self,
                                                      gint64           start_us,
                                                      gint64           end_us);
void             evs_export_dialog_set_apply_pipeline (EvsExportDialog *self,
                                                      gboolean         apply);
gboolean         evs_export_dialog_get_running       (EvsExportDialog *self);
double           evs_export_dialog_get_fraction      (EvsExportDialog *self);

G_END_DECLS
