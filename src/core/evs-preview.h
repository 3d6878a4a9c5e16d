/* evs-preview.h
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

#include "evs-pipeline.h"
#include "evs-reader.h"
#include "evs-render.h"

G_BEGIN_DECLS

/* Colour (0xRRGGBB) of the events the pipeline removed, in the overlay. */
#define EVS_PREVIEW_REMOVED_COLOR 0xff2bd6

/* The longest warm-up a preview runs before its window, µs. */
#define EVS_PREVIEW_MAX_WARMUP_US G_GINT64_CONSTANT (1000000)

#define EVS_TYPE_PREVIEW (evs_preview_get_type ())

/**
 * EvsPreview:
 * @kept: the events the pipeline kept, rendered with the window's parameters
 * @overlay: B8G8R8A8-premultiplied pixels (@kept's layout): @kept with every
 *   pixel that lost an event painted %EVS_PREVIEW_REMOVED_COLOR
 * @n_in: events in the window
 * @n_kept: events of the window the pipeline kept
 * @n_stages: the pipeline's length
 * @stages: (array length=n_stages): per-stage counts, in the window only
 *
 * One window seen through a pipeline.  Immutable once returned.
 */
typedef struct
{
  EvsFrame      *kept;
  GBytes        *overlay;
  gint64         t_start;
  gint64         t_end;
  gint64         warmup_us;
  guint64        n_in;
  guint64        n_in_on;
  guint64        n_kept;
  guint64        n_kept_on;
  guint          n_stages;
  EvsStageStats *stages;
  /*< private >*/
  gatomicrefcount ref_count;
} EvsPreview;

GType       evs_preview_get_type      (void) G_GNUC_CONST;
EvsPreview *evs_preview_ref           (EvsPreview             *preview);
void        evs_preview_unref         (EvsPreview             *preview);
gint64      evs_preview_get_warmup_us (EvsPipeline            *pipeline);
EvsPreview *evs_preview_render        (EvsReader              *reader,
                                       EvsPipeline            *pipeline,
                                       guint                   width,
                                       guint                   height,
                                       const EvsRenderParams  *params,
                                       GCancellable           *cancellable,
                                       GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsPreview, evs_preview_unref)

G_END_DECLS
