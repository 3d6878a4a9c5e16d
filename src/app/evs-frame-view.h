/* evs-frame-view.h
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

#include "evs-session.h"

G_BEGIN_DECLS

#define EVS_TYPE_FRAME_VIEW (evs_frame_view_get_type ())

G_DECLARE_FINAL_TYPE (EvsFrameView, evs_frame_view, EVS, FRAME_VIEW, GtkWidget)

GtkWidget  *evs_frame_view_new            (void);
EvsSession *evs_frame_view_get_session    (EvsFrameView *self);
void        evs_frame_view_set_session    (EvsFrameView *self,
                                           EvsSession   *session);
double      evs_frame_view_get_zoom       (EvsFrameView *self);
void        evs_frame_view_set_zoom       (EvsFrameView *self,
                                           double        zoom);
double      evs_frame_view_get_scale      (EvsFrameView *self);
void        evs_frame_view_zoom_in        (EvsFrameView *self);
void        evs_frame_view_zoom_out       (EvsFrameView *self);
const char *evs_frame_view_get_hover_text (EvsFrameView *self);
GdkTexture *evs_frame_view_get_texture    (EvsFrameView *self);

G_END_DECLS
