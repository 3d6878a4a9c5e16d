/* evs-pipeline-panel.h
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

#define EVS_TYPE_PIPELINE_PANEL (evs_pipeline_panel_get_type ())

G_DECLARE_FINAL_TYPE (EvsPipelinePanel, evs_pipeline_panel, EVS, PIPELINE_PANEL, AdwBin)

GtkWidget    *evs_pipeline_panel_new           (void);
EvsWorkbench *evs_pipeline_panel_get_workbench (EvsPipelinePanel *self);
void          evs_pipeline_panel_set_workbench (EvsPipelinePanel *self,
                                                EvsWorkbench     *workbench);
GtkListBox   *evs_pipeline_panel_get_list      (EvsPipelinePanel *self);
const char   *evs_pipeline_panel_get_row_subtitle (EvsPipelinePanel *self,
                                                guint             position);

G_END_DECLS
