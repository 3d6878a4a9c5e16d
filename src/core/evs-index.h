/* evs-index.h
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

#include "evs-reader.h"

G_BEGIN_DECLS

/**
 * EvsIndexEntry:
 * @position: where the chunk starts (@position.t is the largest time of all
 *   events before it)
 * @t_first: the chunk's first event time
 * @t_last: the largest time in the chunk
 * @n_events: events in the chunk
 * @n_on: ON events in the chunk
 *
 * One entry per decoded chunk.  The entries together give the whole
 * recording's event rate (the viewer's timeline) at chunk resolution.
 */
typedef struct
{
  EvsReaderPosition position;
  gint64            t_first;
  gint64            t_last;
  guint32           n_events;
  guint32           n_on;
} EvsIndexEntry;

/**
 * EvsIndexProgressFunc:
 * @fraction: share of the file scanned, 0 to 1
 * @n_events: events counted so far
 * @user_data: closure
 *
 * Called from the scanning thread, at most every few chunks.
 */
typedef void (*EvsIndexProgressFunc) (double   fraction,
                                      guint64  n_events,
                                      gpointer user_data);

/**
 * EvsIndexChunkFunc:
 * @chunk: the events just decoded by the scan
 * @user_data: closure
 *
 * Sees every chunk of an index scan, in file order, so that other
 * whole-recording statistics can be gathered in the same pass.
 */
typedef void (*EvsIndexChunkFunc) (const EvsEventChunk *chunk,
                                   gpointer             user_data);

#define EVS_TYPE_INDEX (evs_index_get_type ())

GType                evs_index_get_type        (void) G_GNUC_CONST;
EvsIndex            *evs_index_ref             (EvsIndex              *self);
void                 evs_index_unref           (EvsIndex              *self);
EvsIndex            *evs_index_build           (EvsReader             *reader,
                                                GCancellable          *cancellable,
                                                EvsIndexProgressFunc   progress,
                                                gpointer               user_data,
                                                GError               **error);
EvsIndex            *evs_index_ensure          (EvsReader             *reader,
                                                GCancellable          *cancellable,
                                                EvsIndexProgressFunc   progress,
                                                gpointer               user_data,
                                                GError               **error);
EvsIndex            *evs_index_ensure_full     (EvsReader             *reader,
                                                GCancellable          *cancellable,
                                                EvsIndexChunkFunc      chunk_func,
                                                gpointer               chunk_data,
                                                gboolean              *scanned,
                                                EvsIndexProgressFunc   progress,
                                                gpointer               user_data,
                                                GError               **error);
char                *evs_index_get_cache_path  (const char            *recording_path);
gint64               evs_index_get_file_mtime_us (const char          *path);
gboolean             evs_index_save_counts     (const char            *recording_path,
                                                gint64                 scan_mtime_us,
                                                const guint32         *counts,
                                                guint                  width,
                                                guint                  height,
                                                gint64                 t_first,
                                                gint64                 t_last,
                                                GError               **error);
guint32             *evs_index_load_counts     (const char            *recording_path,
                                                guint                 *width,
                                                guint                 *height,
                                                gint64                *t_first,
                                                gint64                *t_last);
EvsIndex            *evs_index_load            (const char            *cache_path,
                                                EvsReader             *reader,
                                                GError               **error);
gboolean             evs_index_save            (EvsIndex              *self,
                                                const char            *cache_path,
                                                GError               **error);
void                 evs_index_lookup          (EvsIndex              *self,
                                                gint64                 t_us,
                                                EvsReaderPosition     *position);
guint64              evs_index_get_n_events    (EvsIndex              *self);
guint64              evs_index_get_n_on        (EvsIndex              *self);
gint64               evs_index_get_t_first     (EvsIndex              *self);
gint64               evs_index_get_t_last      (EvsIndex              *self);
void                 evs_index_get_extent      (EvsIndex              *self,
                                                guint                 *width,
                                                guint                 *height);
const EvsIndexEntry *evs_index_get_entries     (EvsIndex              *self,
                                                guint                 *n_entries);
const EvsReaderStats *evs_index_get_stats      (EvsIndex              *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsIndex, evs_index_unref)

G_END_DECLS
