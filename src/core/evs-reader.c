/* evs-reader.c
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

#define G_LOG_DOMAIN "evs-reader"

#include "config.h"

#include "evs-reader.h"
#include "evs-error.h"
#include "evs-index.h"
#include "evs-reader-private.h"
#include "evs-simd-private.h"

#include <string.h>

typedef struct
{
  EvsRecordingInfo  *info;
  EvsReaderStats     stats;
  EvsIndex          *index;
  EvsReaderPosition  start;
  guint64            ordinal;
  gint64             last_t;
  gint64             skip_before;
  guint64            facts_backwards;
  guint16            facts_max_x;
  guint16            facts_max_y;
  guint16            summary_max_x;
  guint16            summary_max_y;
  guint              have_facts : 1;
  guint              have_summary : 1;
  guint              summary_sorted : 1;
  guint              skipping : 1;
  guint              have_last_t : 1;
  guint              validate : 1;
  guint              started : 1;
} EvsReaderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (EvsReader, evs_reader, G_TYPE_OBJECT)

static void
evs_reader_finalize (GObject *object)
{
  EvsReader *self = (EvsReader *) object;
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_clear_pointer (&priv->info, evs_recording_info_free);
  g_clear_pointer (&priv->index, evs_index_unref);

  G_OBJECT_CLASS (evs_reader_parent_class)->finalize (object);
}

static void
evs_reader_class_init (EvsReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = evs_reader_finalize;
}

static void
evs_reader_init (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  priv->info = evs_recording_info_new ();
  priv->validate = TRUE;
}

static gboolean
has_prefix (const guint8 *head,
            gsize         len,
            const char   *prefix)
{
  gsize n = strlen (prefix);

  return len >= n && memcmp (head, prefix, n) == 0;
}

static gboolean
is_hdf5 (const guint8 *head,
         gsize         len)
{
  static const guint8 signature[8] = { 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n' };

  /* The superblock may sit at 0, 512, 1024, 2048… (user block). */
  for (gsize at = 0; at + 8 <= len; at = at == 0 ? 512 : at * 2)
    {
      if (memcmp (head + at, signature, 8) == 0)
        return TRUE;
    }

  return FALSE;
}

/* A Prophesee header (“% key value” lines) is shared by RAW and DAT: DAT
 * files say what they contain and carry Version/Width/Height, RAW files name
 * their encoding. */
static gboolean
header_looks_like_dat (const guint8 *head,
                       gsize         len)
{
  g_autofree char *text = g_strndup ((const char *) head, len);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean dat = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (!g_str_has_prefix (line, "% "))
        break;
      line += 2;

      if (g_str_has_prefix (line, "evt ") || g_str_has_prefix (line, "format ")
          || g_str_has_prefix (line, "system_ID ") || g_str_has_prefix (line, "geometry "))
        return FALSE;
      if (g_str_has_prefix (line, "Data file") || g_str_has_prefix (line, "Version ")
          || g_str_has_prefix (line, "Width ") || g_str_has_prefix (line, "Height "))
        dat = TRUE;
    }

  return dat;
}

static gboolean
looks_like_text (const guint8 *head,
                 gsize         len)
{
  guint digits = 0;

  if (len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      guint8 c = head[i];

      if (c == '\n' || c == '\r' || c == '\t' || (c >= 0x20 && c < 0x7f))
        {
          if (g_ascii_isdigit (c))
            digits++;
          continue;
        }
      /* A multi-byte UTF-8 sequence in a header line is fine. */
      if (c >= 0x80)
        continue;
      return FALSE;
    }

  return digits > 0;
}

/**
 * evs_reader_open:
 * @path: a recording
 *
 * Opens a recording, choosing the reader from the file's content (never its
 * extension).  The file is only ever opened read-only.
 *
 * Returns: (transfer full): a reader positioned at the first event, or %NULL
 */
EvsReader *
evs_reader_open (const char  *path,
                 GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(EvsReader) reader = NULL;
  guint8 head[4096];
  gsize len = 0;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &len, NULL, error))
    return NULL;
  g_input_stream_close (G_INPUT_STREAM (stream), NULL, NULL);

  if (len == 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED, "“%s” is empty", path);
      return NULL;
    }

  if (is_hdf5 (head, len))
    reader = _evs_hdf5_reader_new (path, error);
  else if (has_prefix (head, len, "#!AER-DAT4"))
    reader = _evs_aedat4_reader_new (path, error);
  else if (has_prefix (head, len, "#!AER-DAT"))
    {
      g_autofree char *version = g_strndup ((const char *) head + 9, MIN (len - 9, 3));

      g_set_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED,
                   "“%s” is an AEDAT %s file; Evscope reads AEDAT 4.0 only", path,
                   g_strstrip (g_strdelimit (version, "\r\n", ' ')));
      return NULL;
    }
  else if (has_prefix (head, len, "% "))
    {
      if (header_looks_like_dat (head, len))
        reader = _evs_dat_reader_new (path, error);
      else
        reader = _evs_raw_reader_new (path, error);
    }
  else if (looks_like_text (head, len))
    reader = _evs_text_reader_new (path, error);
  else
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_UNKNOWN_FORMAT,
                   "“%s” is not a recording Evscope knows (expected Prophesee RAW or DAT, "
                   "HDF5, AEDAT 4 or text; first bytes %02x %02x %02x %02x)",
                   path, head[0], len > 1 ? head[1] : 0, len > 2 ? head[2] : 0,
                   len > 3 ? head[3] : 0);
      return NULL;
    }

  if (reader == NULL)
    return NULL;

  {
    EvsReaderPrivate *priv = evs_reader_get_instance_private (reader);

    if (priv->info->path == NULL)
      priv->info->path = g_strdup (path);
    evs_reader_tell (reader, &priv->start);
  }

  return g_steal_pointer (&reader);
}

const EvsRecordingInfo *
evs_reader_get_info (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), NULL);

  return priv->info;
}

EvsRecordingInfo *
_evs_reader_get_info_mut (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  return priv->info;
}

EvsReaderStats *
_evs_reader_get_stats_mut (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  return &priv->stats;
}

EvsFormat
evs_reader_get_format (EvsReader *self)
{
  return evs_reader_get_info (self)->format;
}

guint
evs_reader_get_width (EvsReader *self)
{
  return evs_reader_get_info (self)->width;
}

guint
evs_reader_get_height (EvsReader *self)
{
  return evs_reader_get_info (self)->height;
}

const EvsReaderStats *
evs_reader_get_stats (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), NULL);

  return &priv->stats;
}

/**
 * evs_reader_set_validate:
 *
 * With validation on (the default) events outside the sensor are dropped and
 * counted, and time going backwards is counted.
 */
void
evs_reader_set_validate (EvsReader *self,
                         gboolean   validate)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_if_fail (EVS_IS_READER (self));

  priv->validate = !!validate;
}

/* One pass over a chunk: the largest x and y and the number of backward
 * time steps (including from @prev_t to the first event).  Compiled for the
 * x86-64 baseline and for AVX2 (chosen at run time): this runs on every
 * decoded event. */
static inline __attribute__ ((always_inline)) guint64
scan_chunk_body (const gint64 *restrict  t,
                 const guint16 *restrict x,
                 const guint16 *restrict y,
                 gsize                   n,
                 gint64                  prev_t,
                 guint16                *max_x_out,
                 guint16                *max_y_out)
{
  guint16 max_x = 0, max_y = 0;
  guint64 backwards = t[0] < prev_t;

  for (gsize i = 0; i < n; i++)
    {
      max_x = MAX (max_x, x[i]);
      max_y = MAX (max_y, y[i]);
    }
  for (gsize i = 1; i < n; i++)
    backwards += t[i] < t[i - 1];

  *max_x_out = max_x;
  *max_y_out = max_y;
  return backwards;
}

#define SCAN_PARAMS (const gint64 *restrict t, const guint16 *restrict x,            \
                     const guint16 *restrict y, gsize n, gint64 prev_t,               \
                     guint16 *max_x_out, guint16 *max_y_out)
#define SCAN_ARGS (t, x, y, n, prev_t, max_x_out, max_y_out)

static guint64 scan_chunk_generic SCAN_PARAMS { return scan_chunk_body SCAN_ARGS; }

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__ ((target ("avx2"))) static guint64
scan_chunk_avx2 SCAN_PARAMS { return scan_chunk_body SCAN_ARGS; }
#endif

static guint64
scan_chunk SCAN_PARAMS
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (_evs_simd_level () >= EVS_SIMD_AVX2)
    return scan_chunk_avx2 SCAN_ARGS;
#endif
  return scan_chunk_generic SCAN_ARGS;
}

static void
validate_chunk (EvsReader     *self,
                EvsEventChunk *chunk)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);
  guint width = priv->info->width;
  guint height = priv->info->height;
  gsize n = chunk->n_events;
  guint16 max_x, max_y;
  guint64 backwards;
  guint64 boundary;

  if (n == 0)
    return;

  boundary = priv->have_last_t && chunk->t[0] < priv->last_t;

  if (priv->have_facts)
    {
      /* The decoder measured the chunk while writing it */
      max_x = priv->facts_max_x;
      max_y = priv->facts_max_y;
      backwards = priv->facts_backwards + (priv->have_last_t && chunk->t[0] < priv->last_t);
    }
  else
    backwards = scan_chunk (chunk->t, chunk->x, chunk->y, n,
                            priv->have_last_t ? priv->last_t : chunk->t[0], &max_x, &max_y);

  if (priv->info->geometry_known && width > 0 && height > 0
      && (max_x >= width || max_y >= height))
    {
      gint64 prev;
      gsize j = 0;

      for (gsize i = 0; i < n; i++)
        {
          if (chunk->x[i] < width && chunk->y[i] < height)
            {
              chunk->t[j] = chunk->t[i];
              chunk->x[j] = chunk->x[i];
              chunk->y[j] = chunk->y[i];
              chunk->p[j] = chunk->p[i];
              j++;
            }
        }
      priv->stats.out_of_range += n - j;
      chunk->n_events = n = j;
      if (n == 0)
        return;

      /* Count backward steps among the events kept */
      backwards = 0;
      prev = priv->have_last_t ? priv->last_t : chunk->t[0];
      for (gsize i = 0; i < n; i++)
        {
          backwards += chunk->t[i] < prev;
          prev = chunk->t[i];
        }
    }
  else
    {
      /* What the index needs to know of the chunk, without reading it again */
      priv->summary_max_x = max_x;
      priv->summary_max_y = max_y;
      priv->summary_sorted = backwards == boundary;
      priv->have_summary = TRUE;
    }

  priv->stats.non_monotonic += backwards;
  priv->last_t = chunk->t[n - 1];
  priv->have_last_t = TRUE;
}

/**
 * _evs_reader_get_chunk_facts:
 * @facts: (out): filled when known
 *
 * After evs_reader_read(), what validation learnt of the chunk it returned:
 * its largest x and y, and whether its times never go backwards.
 *
 * Returns: %FALSE when unknown (validation off, or events were dropped)
 */
gboolean
_evs_reader_get_chunk_facts (EvsReader     *self,
                             EvsChunkFacts *facts)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  if (!priv->have_summary)
    return FALSE;

  facts->max_x = priv->summary_max_x;
  facts->max_y = priv->summary_max_y;
  facts->sorted = priv->summary_sorted;

  return TRUE;
}

/**
 * _evs_reader_set_chunk_facts:
 * @max_x: the largest x in the chunk being decoded
 * @max_y: the largest y
 * @backwards: the number of events whose time is before the previous
 *   event's, within the chunk
 *
 * Lets a decoder that measured its chunk while writing it spare the
 * validation pass a second read of the chunk.  Call it at the end of
 * decode(); it applies to that chunk only.
 */
void
_evs_reader_set_chunk_facts (EvsReader *self,
                             guint16    max_x,
                             guint16    max_y,
                             guint64    backwards)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  priv->facts_max_x = max_x;
  priv->facts_max_y = max_y;
  priv->facts_backwards = backwards;
  priv->have_facts = TRUE;
}

/**
 * _evs_reader_scan:
 * @capacity: the capacity of the chunks evs_reader_read() would get
 *
 * Like evs_reader_read() with validation on, but through
 * EvsReaderClass.scan: only the facts of the chunk are returned
 * (@facts->n_events is 0 at the end), the stats, the ordinal and the
 * position move on exactly as a read would move them.
 *
 * Returns: 1, 0 when the reader cannot scan (nothing was consumed: read
 *   instead), -1 on error
 */
int
_evs_reader_scan (EvsReader     *self,
                  gsize          capacity,
                  EvsScanFacts  *facts,
                  GError       **error)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);
  EvsReaderClass *klass = EVS_READER_GET_CLASS (self);
  const EvsRecordingInfo *info = priv->info;

  g_return_val_if_fail (EVS_IS_READER (self), -1);

  if (klass->scan == NULL || !priv->validate || priv->skipping || !info->geometry_known
      || info->width == 0 || info->height == 0)
    return 0;

  capacity = MAX (capacity, EVS_CHUNK_MIN_CAPACITY);
  for (;;)
    {
      int r;

      memset (facts, 0, sizeof *facts);
      priv->have_facts = FALSE;
      priv->have_summary = FALSE;
      r = klass->scan (self, capacity, priv->have_last_t, priv->last_t, facts, error);
      if (r <= 0)
        return r;

      /* As validate_chunk (): a chunk left empty does not end the data */
      priv->stats.out_of_range += facts->dropped;
      if (facts->n_events == 0)
        {
          if (facts->n_decoded == 0)
            return 1;
          continue;
        }
      priv->stats.non_monotonic += facts->backwards;
      priv->last_t = facts->t_last;
      priv->have_last_t = TRUE;
      priv->ordinal += facts->n_events;
      return 1;
    }
}

/**
 * evs_reader_read:
 * @chunk: a chunk with a capacity of at least %EVS_CHUNK_MIN_CAPACITY
 *
 * Replaces the content of @chunk with the next events.  At the end of the
 * recording @chunk is left empty and %TRUE is returned.
 *
 * Returns: %FALSE on error (the message names the byte offset)
 */
gboolean
evs_reader_read (EvsReader      *self,
                 EvsEventChunk  *chunk,
                 GError        **error)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);
  EvsReaderClass *klass = EVS_READER_GET_CLASS (self);

  g_return_val_if_fail (EVS_IS_READER (self), FALSE);
  g_return_val_if_fail (chunk != NULL, FALSE);

  if (chunk->capacity < EVS_CHUNK_MIN_CAPACITY)
    evs_event_chunk_reserve (chunk, EVS_CHUNK_MIN_CAPACITY);

  for (;;)
    {
      evs_event_chunk_clear (chunk);
      priv->have_facts = FALSE;
      priv->have_summary = FALSE;

      if (!klass->decode (self, chunk, error))
        {
          evs_event_chunk_clear (chunk);
          return FALSE;
        }

      if (chunk->n_events == 0)
        return TRUE;

      if (priv->validate)
        validate_chunk (self, chunk);

      if (priv->skipping)
        {
          gsize i = 0;

          while (i < chunk->n_events && chunk->t[i] < priv->skip_before)
            i++;
          priv->ordinal += i;
          if (i == chunk->n_events)
            continue;
          evs_event_chunk_drop_head (chunk, i);
          priv->skipping = FALSE;
          priv->have_summary = FALSE;
        }

      if (chunk->n_events == 0)
        continue;

      priv->ordinal += chunk->n_events;
      return TRUE;
    }
}

/**
 * evs_reader_tell:
 *
 * Describes the current resumable point.  Only meaningful between reads and
 * outside a pending seek.
 */
void
evs_reader_tell (EvsReader         *self,
                 EvsReaderPosition *position)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_if_fail (EVS_IS_READER (self));
  g_return_if_fail (position != NULL);

  memset (position, 0, sizeof *position);
  EVS_READER_GET_CLASS (self)->tell (self, position);
  position->ordinal = priv->ordinal;
  position->t = G_MININT64;
}

gboolean
evs_reader_restore (EvsReader                *self,
                    const EvsReaderPosition  *position,
                    GError                  **error)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), FALSE);
  g_return_val_if_fail (position != NULL, FALSE);

  if (!EVS_READER_GET_CLASS (self)->restore (self, position, error))
    return FALSE;

  priv->ordinal = position->ordinal;
  priv->skipping = FALSE;
  priv->have_last_t = FALSE;

  return TRUE;
}

/**
 * evs_reader_rewind:
 *
 * Goes back to the first event.
 */
gboolean
evs_reader_rewind (EvsReader  *self,
                   GError    **error)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), FALSE);

  return evs_reader_restore (self, &priv->start, error);
}

/**
 * evs_reader_seek:
 * @t_us: a time in µs, in the recording's own time base
 *
 * Positions the reader so that the next read starts exactly at the first
 * event (in file order) whose time is ≥ @t_us.  With an index attached
 * (evs_reader_set_index()) decoding resumes at the nearest indexed point
 * before @t_us, or at the point the file's own time table gives
 * (EvsReaderClass.locate) when that is closer; without either it decodes
 * from the start.
 */
gboolean
evs_reader_seek (EvsReader  *self,
                 gint64      t_us,
                 GError    **error)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);
  EvsReaderClass *klass;
  EvsReaderPosition position, located;
  gboolean have_located;

  g_return_val_if_fail (EVS_IS_READER (self), FALSE);

  klass = EVS_READER_GET_CLASS (self);
  /* The file's own time table (one entry per ms or so) usually lands much
   * closer to @t_us than the sparse index (one entry per decoded chunk):
   * use it whenever it does not land before the indexed point. */
  memset (&located, 0, sizeof located);
  have_located = klass->locate != NULL && klass->locate (self, t_us, &located);
  if (have_located)
    located.t = G_MININT64;

  if (priv->index != NULL)
    {
      evs_index_lookup (priv->index, t_us, &position);
      if (have_located && located.ordinal >= position.ordinal)
        position = located;
    }
  else if (have_located)
    position = located;
  else
    position = priv->start;

  if (!evs_reader_restore (self, &position, error))
    return FALSE;

  priv->skip_before = t_us;
  priv->skipping = TRUE;

  return TRUE;
}

guint64
evs_reader_get_ordinal (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), 0);

  return priv->ordinal;
}

/**
 * evs_reader_get_fraction:
 *
 * Returns: how much of the file has been decoded, from 0 to 1
 */
double
evs_reader_get_fraction (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);
  EvsReaderPosition position = { 0 };

  g_return_val_if_fail (EVS_IS_READER (self), 0.0);

  if (priv->info->file_size == 0)
    return 0.0;

  EVS_READER_GET_CLASS (self)->tell (self, &position);

  return CLAMP ((double) position.offset / (double) priv->info->file_size, 0.0, 1.0);
}

/**
 * evs_reader_set_index:
 *
 * Attaches a time index so that evs_reader_seek() resumes near the target.
 * When the file states no geometry, the index's observed extent becomes the
 * geometry.
 */
void
evs_reader_set_index (EvsReader *self,
                      EvsIndex  *index)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_if_fail (EVS_IS_READER (self));

  if (index == priv->index)
    return;

  if (index != NULL)
    evs_index_ref (index);
  g_clear_pointer (&priv->index, evs_index_unref);
  priv->index = index;

  if (index != NULL && !priv->info->geometry_known)
    {
      guint width, height;

      evs_index_get_extent (index, &width, &height);
      priv->info->width = MAX (priv->info->width, width);
      priv->info->height = MAX (priv->info->height, height);
    }
}

EvsIndex *
evs_reader_get_index (EvsReader *self)
{
  EvsReaderPrivate *priv = evs_reader_get_instance_private (self);

  g_return_val_if_fail (EVS_IS_READER (self), NULL);

  return priv->index;
}
