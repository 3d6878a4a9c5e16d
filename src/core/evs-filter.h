/* evs-filter.h
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

G_BEGIN_DECLS

#define EVS_TYPE_FILTER (evs_filter_get_type ())

G_DECLARE_DERIVABLE_TYPE (EvsFilter, evs_filter, EVS, FILTER, GObject)

/* Largest time window any filter accepts (µs).  Per-pixel state keeps 32-bit
 * times relative to a moving base; windows must stay below 2^30 µs. */
#define EVS_FILTER_MAX_WINDOW_US 1000000000

/**
 * EvsFilterClass:
 * @type_name: the filter's `"type"` in pipeline JSON
 * @process: decide for each event of @chunk: set `keep[i]` to 1 to keep
 *   event i and to 0 to drop it, for every i < n_events.  State (per-pixel
 *   times…) carries over to the next chunk, so the result never depends on
 *   how a stream is cut into chunks.
 * @reset: forget the stream state (start of a new stream)
 * @to_json: add the parameters to @builder (inside the filter's object, after
 *   "type" and "enabled"); the default writes every writable property
 * @set_json_member: set one parameter from JSON; the default maps the key
 *   `foo_bar` to the property `foo-bar` with type and range checks
 * @check: validate the combination of parameters after JSON loading
 * @copy_extra: copy what properties do not cover (ROI rectangles, a learnt
 *   hot-pixel mask) into @copy
 * @refine: optional; like @process, but only for the events with `keep[i]`
 *   already 1 (the ones earlier stages kept): clears `keep[i]` of those it
 *   drops, leaves the others at 0 and ignores them (no state update).  The
 *   result must equal @process run on the chunk compacted by @keep; it
 *   spares the pipeline a compaction between stages.  Returns %FALSE,
 *   before touching anything, when it cannot run now.
 *
 * The base class of every filter.  Parameters are properties with ranges
 * (the GUI binds widgets to them) and `enabled` turns a filter off in a
 * pipeline.
 */
struct _EvsFilterClass
{
  GObjectClass parent_class;

  const char *type_name;

  void     (*process)         (EvsFilter           *self,
                               const EvsEventChunk *chunk,
                               guint8              *keep);
  void     (*reset)           (EvsFilter           *self);
  void     (*to_json)         (EvsFilter           *self,
                               JsonBuilder         *builder);
  gboolean (*set_json_member) (EvsFilter           *self,
                               const char          *key,
                               JsonNode            *node,
                               const char          *base_dir,
                               GError             **error);
  gboolean (*check)           (EvsFilter           *self,
                               GError             **error);
  void     (*copy_extra)      (EvsFilter           *self,
                               EvsFilter           *copy);
  gboolean (*refine)          (EvsFilter           *self,
                               const EvsEventChunk *chunk,
                               guint8              *keep);

  /*< private >*/
  gpointer padding[7];
};

const char  *evs_filter_get_type_name     (EvsFilter            *self);
gboolean     evs_filter_get_enabled       (EvsFilter            *self);
void         evs_filter_set_enabled       (EvsFilter            *self,
                                           gboolean              enabled);
void         evs_filter_set_geometry      (EvsFilter            *self,
                                           guint                 width,
                                           guint                 height);
guint        evs_filter_get_width         (EvsFilter            *self);
guint        evs_filter_get_height        (EvsFilter            *self);
void         evs_filter_process           (EvsFilter            *self,
                                           const EvsEventChunk  *chunk,
                                           guint8               *keep);
void         evs_filter_reset             (EvsFilter            *self);
EvsFilter   *evs_filter_copy              (EvsFilter            *self);
JsonNode    *evs_filter_to_json           (EvsFilter            *self);
EvsFilter   *evs_filter_new_from_json     (JsonNode             *node,
                                           guint                 index,
                                           const char           *base_dir,
                                           GError              **error);
EvsFilter   *evs_filter_new_for_type_name (const char           *type_name,
                                           GError              **error);
gboolean     evs_filter_set_param_from_string (EvsFilter        *self,
                                           const char           *key,
                                           const char           *value,
                                           GError              **error);
const char * const *evs_filter_list_type_names (void);

G_END_DECLS
