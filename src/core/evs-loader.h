/* evs-loader.h
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

#include "evs-events.h"
#include "evs-format.h"
#include "evs-index.h"
#include "evs-rate.h"
#include "evs-render.h"

G_BEGIN_DECLS

/* How much of the recording evs_loader_get_first_events() holds. */
#define EVS_LOADER_FIRST_WINDOW_US 10000
/* …and at most this many events of it. */
#define EVS_LOADER_FIRST_MAX_EVENTS (4 * 1024 * 1024)

/* Bins of evs_loader_get_rate(), and up to how many events it is exact */
#define EVS_LOADER_RATE_BINS 512
#define EVS_LOADER_EXACT_RATE_MAX_EVENTS (16 * 1000 * 1000)

/* Largest frame: wider than any event sensor, small enough that the
 * per-pixel state of a hostile header's geometry stays bounded */
#define EVS_LOADER_MAX_SIDE   4096
#define EVS_LOADER_MAX_PIXELS (4096 * 2048)

#define EVS_TYPE_LOADER (evs_loader_get_type ())

G_DECLARE_FINAL_TYPE (EvsLoader, evs_loader, EVS, LOADER, GObject)

EvsLoader              *evs_loader_new              (void);
void                    evs_loader_load_async       (EvsLoader               *self,
                                                     const char              *path,
                                                     GCancellable            *cancellable,
                                                     GAsyncReadyCallback      callback,
                                                     gpointer                 user_data);
gboolean                evs_loader_load_finish      (EvsLoader               *self,
                                                     GAsyncResult            *result,
                                                     GError                 **error);
gboolean                evs_loader_load             (EvsLoader               *self,
                                                     const char              *path,
                                                     GCancellable            *cancellable,
                                                     GError                 **error);
double                  evs_loader_get_fraction     (EvsLoader               *self);
const char             *evs_loader_get_message      (EvsLoader               *self);
guint64                 evs_loader_get_n_events     (EvsLoader               *self);
const char             *evs_loader_get_path         (EvsLoader               *self);
const EvsRecordingInfo *evs_loader_get_info         (EvsLoader               *self);
EvsIndex               *evs_loader_get_index        (EvsLoader               *self);
EvsRate                *evs_loader_get_rate         (EvsLoader               *self);
EvsEventChunk          *evs_loader_get_first_events (EvsLoader               *self);
guint                   evs_loader_get_width        (EvsLoader               *self);
guint                   evs_loader_get_height       (EvsLoader               *self);
void                    evs_loader_render_async     (EvsLoader               *self,
                                                     const EvsRenderParams   *params,
                                                     GCancellable            *cancellable,
                                                     GAsyncReadyCallback      callback,
                                                     gpointer                 user_data);
EvsFrame               *evs_loader_render_finish    (EvsLoader               *self,
                                                     GAsyncResult            *result,
                                                     GError                 **error);
EvsFrame               *evs_loader_render           (EvsLoader               *self,
                                                     const EvsRenderParams   *params,
                                                     GCancellable            *cancellable,
                                                     GError                 **error);

G_END_DECLS
