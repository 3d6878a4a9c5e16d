/* evs-window.h
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

#include "evs-frame-view.h"
#include "evs-session.h"
#include "evs-workbench.h"
#include "evs-timeline.h"

G_BEGIN_DECLS

#define EVS_TYPE_WINDOW (evs_window_get_type ())

G_DECLARE_FINAL_TYPE (EvsWindow, evs_window, EVS, WINDOW, AdwApplicationWindow)

EvsWindow    *evs_window_new            (GtkApplication *application);
void          evs_window_open           (EvsWindow      *self,
                                         GFile          *file);
EvsSession   *evs_window_get_session    (EvsWindow      *self);
EvsFrameView *evs_window_get_frame_view (EvsWindow      *self);
EvsTimeline  *evs_window_get_timeline   (EvsWindow      *self);
const char   *evs_window_get_page       (EvsWindow      *self);

EvsWorkbench *evs_window_get_workbench (EvsWindow *self);

G_END_DECLS
