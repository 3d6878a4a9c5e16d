/* evs-reader.h
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

G_BEGIN_DECLS

/**
 * EvsReaderPosition:
 * @t: the largest event time before this point (%G_MININT64 at the start
 *   or when unknown): evs_reader_seek() to any time greater than this may
 *   resume here, whatever the order of the times
 * @ordinal: number of events delivered before this point
 * @offset: byte offset (or record number, for HDF5) where decoding resumes
 * @state: reader-specific decoder state needed to resume there
 *
 * A point in the stream where decoding can resume exactly.
 */
typedef struct
{
  gint64  t;
  guint64 ordinal;
  guint64 offset;
  guint64 state[4];
} EvsReaderPosition;

/**
 * EvsReaderStats:
 * @out_of_range: events dropped because x ≥ width or y ≥ height
 * @non_monotonic: events whose time is smaller than the one before (kept)
 * @unknown_words: words of reserved or unknown type (skipped)
 * @before_time_base: events dropped because they came before the first
 *   time reference (as OpenEB does)
 * @triggers: external trigger events seen (not delivered as CD events)
 * @other: non-CD data skipped: monitoring words (RAW), frame, IMU or trigger
 *   packets (AEDAT 4)
 *
 * What a reader saw that it did not deliver as is.
 */
typedef struct
{
  guint64 out_of_range;
  guint64 non_monotonic;
  guint64 unknown_words;
  guint64 before_time_base;
  guint64 triggers;
  guint64 other;
} EvsReaderStats;

typedef struct _EvsIndex EvsIndex;

/**
 * EvsScanFacts:
 * @n_decoded: events the decoder produced, before validation
 * @n_events: events kept by validation (what evs_reader_read() delivers)
 * @n_on: kept events with polarity 1
 * @t_first: time of the first kept event
 * @t_last: time of the last kept event
 * @t_max: largest time of the kept events
 * @backwards: kept events whose time is before the previous kept event's
 *   (the first one compared with the time passed in, when there is one)
 * @dropped: events dropped as outside the sensor
 * @max_x: largest x of the kept events
 * @max_y: largest y of the kept events
 *
 * For subclasses: what EvsReaderClass.scan learnt of one chunk.
 */
typedef struct
{
  guint64 n_decoded;
  guint64 n_events;
  guint64 n_on;
  gint64  t_first;
  gint64  t_last;
  gint64  t_max;
  guint64 backwards;
  guint64 dropped;
  guint16 max_x;
  guint16 max_y;
} EvsScanFacts;

#define EVS_TYPE_READER (evs_reader_get_type ())

G_DECLARE_DERIVABLE_TYPE (EvsReader, evs_reader, EVS, READER, GObject)

/**
 * EvsReaderClass:
 * @decode: append events to @chunk until fewer than
 *   %EVS_CHUNK_MIN_CAPACITY slots are free or the data ends, stopping only at
 *   a resumable point (a word boundary with the decoder state complete).
 *   Append nothing at the end of the data.  On malformed data set an error
 *   naming the byte offset.
 * @tell: describe the current resumable point (@offset and @state; the base
 *   class fills @t and @ordinal)
 * @restore: continue decoding from a position produced by @tell
 * @locate: optional; when the file carries its own time index (HDF5
 *   `ms_to_idx`, `CD/indexes`), find a position at or before the first event
 *   with time ≥ @t_us, so that evs_reader_seek() need not decode from the
 *   start (without an index) or from the last indexed point before @t_us
 *   (with one, when the located point is not before it); it fills @offset,
 *   @state and @ordinal (events before that point).  Return %FALSE when
 *   unknown.
 * @scan: optional; what decode() on a chunk of @capacity slots followed by
 *   validation (events outside the sensor dropped) would deliver, as @facts,
 *   without writing the events, for building the index.  @have_prev and
 *   @prev_t give the time of the last event delivered before.  Returns 1,
 *   0 (without consuming anything) when the reader cannot scan, or -1 on
 *   error.
 */
struct _EvsReaderClass
{
  GObjectClass parent_class;

  gboolean (*decode)  (EvsReader               *self,
                       EvsEventChunk           *chunk,
                       GError                 **error);
  void     (*tell)    (EvsReader               *self,
                       EvsReaderPosition       *position);
  gboolean (*restore) (EvsReader               *self,
                       const EvsReaderPosition *position,
                       GError                 **error);
  gboolean (*locate)  (EvsReader               *self,
                       gint64                   t_us,
                       EvsReaderPosition       *position);
  int      (*scan)    (EvsReader               *self,
                       gsize                    capacity,
                       gboolean                 have_prev,
                       gint64                   prev_t,
                       EvsScanFacts            *facts,
                       GError                 **error);

  /*< private >*/
  gpointer padding[6];
};

EvsReader              *evs_reader_open          (const char               *path,
                                                  GError                  **error);
const EvsRecordingInfo *evs_reader_get_info      (EvsReader                *self);
EvsFormat               evs_reader_get_format    (EvsReader                *self);
guint                   evs_reader_get_width     (EvsReader                *self);
guint                   evs_reader_get_height    (EvsReader                *self);
const EvsReaderStats   *evs_reader_get_stats     (EvsReader                *self);
gboolean                evs_reader_read          (EvsReader                *self,
                                                  EvsEventChunk            *chunk,
                                                  GError                  **error);
gboolean                evs_reader_seek          (EvsReader                *self,
                                                  gint64                    t_us,
                                                  GError                  **error);
gboolean                evs_reader_rewind        (EvsReader                *self,
                                                  GError                  **error);
void                    evs_reader_tell          (EvsReader                *self,
                                                  EvsReaderPosition        *position);
gboolean                evs_reader_restore       (EvsReader                *self,
                                                  const EvsReaderPosition  *position,
                                                  GError                  **error);
guint64                 evs_reader_get_ordinal   (EvsReader                *self);
double                  evs_reader_get_fraction  (EvsReader                *self);
void                    evs_reader_set_index     (EvsReader                *self,
                                                  EvsIndex                 *index);
EvsIndex               *evs_reader_get_index     (EvsReader                *self);
void                    evs_reader_set_validate  (EvsReader                *self,
                                                  gboolean                  validate);

/* For subclasses */
EvsRecordingInfo       *_evs_reader_get_info_mut (EvsReader                *self);
EvsReaderStats         *_evs_reader_get_stats_mut (EvsReader               *self);
void                    _evs_reader_set_chunk_facts (EvsReader             *self,
                                                     guint16                max_x,
                                                     guint16                max_y,
                                                     guint64                backwards);
int                     _evs_reader_scan         (EvsReader                *self,
                                                  gsize                     capacity,
                                                  EvsScanFacts             *facts,
                                                  GError                  **error);

G_END_DECLS
