/* evs-timeline.h
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

#define EVS_TYPE_TIMELINE (evs_timeline_get_type ())

G_DECLARE_FINAL_TYPE (EvsTimeline, evs_timeline, EVS, TIMELINE, GtkWidget)

EvsSession *evs_timeline_get_session   (EvsTimeline *self);
void        evs_timeline_set_session   (EvsTimeline *self,
                                        EvsSession  *session);
gboolean    evs_timeline_get_log_scale (EvsTimeline *self);
void        evs_timeline_set_log_scale (EvsTimeline *self,
                                        gboolean     log_scale);
guint       evs_timeline_get_n_bins    (EvsTimeline *self);
double      evs_timeline_get_max_rate  (EvsTimeline *self);

G_END_DECLS
