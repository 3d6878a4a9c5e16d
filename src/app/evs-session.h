/* evs-session.h
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

#include "evs-core.h"
#include "evs-pipeline.h"

G_BEGIN_DECLS

#define EVS_TYPE_SESSION (evs_session_get_type ())

G_DECLARE_FINAL_TYPE (EvsSession, evs_session, EVS, SESSION, GObject)

EvsSession         *evs_session_new                (void);
void                evs_session_open               (EvsSession         *self,
                                                    GFile              *file);
GFile              *evs_session_get_file           (EvsSession         *self);
EvsLoader          *evs_session_get_loader         (EvsSession         *self);
gboolean            evs_session_get_loaded         (EvsSession         *self);
gboolean            evs_session_get_indexed        (EvsSession         *self);
gint64              evs_session_get_t_first        (EvsSession         *self);
gint64              evs_session_get_t_last         (EvsSession         *self);
gint64              evs_session_get_time           (EvsSession         *self);
void                evs_session_set_time           (EvsSession         *self,
                                                    gint64              time);
void                evs_session_step               (EvsSession         *self,
                                                    int                 n_windows);
gint64              evs_session_get_window_us      (EvsSession         *self);
void                evs_session_set_window_us      (EvsSession         *self,
                                                    gint64              window_us);
gint64              evs_session_get_window_span    (EvsSession         *self);
gboolean            evs_session_get_window_by_events (EvsSession       *self);
void                evs_session_set_window_by_events (EvsSession       *self,
                                                    gboolean            by_events);
guint64             evs_session_get_window_events  (EvsSession         *self);
void                evs_session_set_window_events  (EvsSession         *self,
                                                    guint64             n_events);
EvsViewMode         evs_session_get_view_mode      (EvsSession         *self);
void                evs_session_set_view_mode      (EvsSession         *self,
                                                    EvsViewMode         mode);
EvsAccumulateStyle  evs_session_get_style          (EvsSession         *self);
void                evs_session_set_style          (EvsSession         *self,
                                                    EvsAccumulateStyle  style);
EvsDecay            evs_session_get_decay          (EvsSession         *self);
void                evs_session_set_decay          (EvsSession         *self,
                                                    EvsDecay            decay);
EvsColormap         evs_session_get_colormap       (EvsSession         *self);
void                evs_session_set_colormap       (EvsSession         *self,
                                                    EvsColormap         colormap);
double              evs_session_get_contrast       (EvsSession         *self);
void                evs_session_set_contrast       (EvsSession         *self,
                                                    double              contrast);
double              evs_session_get_tau_us         (EvsSession         *self);
void                evs_session_set_tau_us         (EvsSession         *self,
                                                    double              tau_us);
gboolean            evs_session_get_split_polarity (EvsSession         *self);
void                evs_session_set_split_polarity (EvsSession         *self,
                                                    gboolean            split);
gboolean            evs_session_get_playing        (EvsSession         *self);
void                evs_session_set_playing        (EvsSession         *self,
                                                    gboolean            playing);
double              evs_session_get_speed          (EvsSession         *self);
void                evs_session_set_speed          (EvsSession         *self,
                                                    double              speed);
void                evs_session_set_loop           (EvsSession         *self,
                                                    gint64              start,
                                                    gint64              end);
gint64              evs_session_get_loop_start     (EvsSession         *self);
gint64              evs_session_get_loop_end       (EvsSession         *self);
EvsFrame           *evs_session_get_frame          (EvsSession         *self);
void                evs_session_get_params         (EvsSession         *self,
                                                    EvsRenderParams    *params);
void                evs_session_advance            (EvsSession         *self,
                                                    gint64              elapsed_us);

EvsPipeline        *evs_session_get_pipeline       (EvsSession         *self);

G_END_DECLS
