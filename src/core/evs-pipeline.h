/* evs-pipeline.h
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
#include <json-glib/json-glib.h>

#include "evs-events.h"
#include "evs-filter.h"
#include "evs-reader.h"

G_BEGIN_DECLS

#define EVS_TYPE_PIPELINE (evs_pipeline_get_type ())

G_DECLARE_FINAL_TYPE (EvsPipeline, evs_pipeline, EVS, PIPELINE, GObject)

/**
 * EvsStageStats:
 * @in: events that reached the stage
 * @in_on: ON events among them (OFF = @in - @in_on)
 * @out: events the stage kept
 * @out_on: ON events among them
 *
 * Counts of one pipeline stage since the last reset.  A disabled stage
 * passes everything (@out = @in).
 */
typedef struct
{
  guint64 in;
  guint64 in_on;
  guint64 out;
  guint64 out_on;
} EvsStageStats;

/* Largest number of filters (removed-by-stage values fit in a byte). */
#define EVS_PIPELINE_MAX_FILTERS 254

EvsPipeline *evs_pipeline_new                (void);
EvsPipeline *evs_pipeline_copy               (EvsPipeline          *self);
guint        evs_pipeline_get_n_filters      (EvsPipeline          *self);
EvsFilter   *evs_pipeline_get_filter         (EvsPipeline          *self,
                                              guint                 position);
gboolean     evs_pipeline_append             (EvsPipeline          *self,
                                              EvsFilter            *filter);
gboolean     evs_pipeline_insert             (EvsPipeline          *self,
                                              guint                 position,
                                              EvsFilter            *filter);
void         evs_pipeline_remove             (EvsPipeline          *self,
                                              guint                 position);
void         evs_pipeline_move               (EvsPipeline          *self,
                                              guint                 from,
                                              guint                 to);
void         evs_pipeline_set_geometry       (EvsPipeline          *self,
                                              guint                 width,
                                              guint                 height);
void         evs_pipeline_reset              (EvsPipeline          *self);
void         evs_pipeline_reset_stats        (EvsPipeline          *self);
void         evs_pipeline_get_stage_stats    (EvsPipeline          *self,
                                              guint                 position,
                                              EvsStageStats        *stats);
gsize        evs_pipeline_process            (EvsPipeline          *self,
                                              EvsEventChunk        *chunk);
gsize        evs_pipeline_process_mask       (EvsPipeline          *self,
                                              const EvsEventChunk  *chunk,
                                              guint8               *keep,
                                              guint8               *removed_by);
gboolean     evs_pipeline_needs_first_pass   (EvsPipeline          *self);
void         evs_pipeline_learn_counts       (EvsPipeline          *self,
                                              const guint32        *counts,
                                              guint                 width,
                                              guint                 height,
                                              gint64                duration_us);
JsonNode    *evs_pipeline_to_json            (EvsPipeline          *self);
char        *evs_pipeline_to_string          (EvsPipeline          *self,
                                              gboolean              pretty);
EvsPipeline *evs_pipeline_new_from_json      (JsonNode             *node,
                                              const char           *base_dir,
                                              GError              **error);
EvsPipeline *evs_pipeline_new_from_string    (const char           *json,
                                              const char           *base_dir,
                                              GError              **error);
EvsPipeline *evs_pipeline_new_from_file      (const char           *path,
                                              GError              **error);
gboolean     evs_pipeline_save_to_file       (EvsPipeline          *self,
                                              const char           *path,
                                              GError              **error);
EvsFilter   *evs_pipeline_find_filter        (EvsPipeline          *self,
                                              const char           *spec,
                                              const char          **param,
                                              GError              **error);

G_END_DECLS
