/* evs-index.c
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

#define G_LOG_DOMAIN "evs-index"

#include "config.h"

#include "evs-index.h"
#include "evs-error.h"
#include "evs-reader-private.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

/* The sparse time index: one entry per decoded chunk, each a resumable
 * reader position.  It is built by one pass of the reader (the same decoder
 * as every other read, so a seek lands exactly where a full read would) and
 * cached in $XDG_CACHE_HOME/evscope/index/, keyed by the file's path, size,
 * mtime, inode and first bytes, so a changed file is indexed again. */

#define CACHE_MAGIC "EVSIDX02"
#define HEAD_BYTES  4096

typedef struct
{
  char           magic[8];
  guint32        entry_size;
  guint32        reserved;
  guint64        file_size;
  gint64         mtime_us;
  guint64        inode;
  guint8         head_digest[32];
  guint64        n_entries;
  guint64        n_events;
  guint64        n_on;
  gint64         t_first;
  gint64         t_last;
  guint32        max_x;
  guint32        max_y;
  EvsReaderStats stats;
} CacheHeader;

struct _EvsIndex
{
  gatomicrefcount ref_count;
  GArray         *entries; /* EvsIndexEntry */
  CacheHeader     header;  /* key and totals */
};

G_DEFINE_BOXED_TYPE (EvsIndex, evs_index, evs_index_ref, evs_index_unref)

static EvsIndex *
evs_index_new (void)
{
  EvsIndex *self = g_new0 (EvsIndex, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->entries = g_array_new (FALSE, FALSE, sizeof (EvsIndexEntry));
  memcpy (self->header.magic, CACHE_MAGIC, 8);
  self->header.entry_size = sizeof (EvsIndexEntry);
  self->header.t_first = 0;
  self->header.t_last = 0;

  return self;
}

EvsIndex *
evs_index_ref (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
evs_index_unref (EvsIndex *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_array_unref (self->entries);
      g_free (self);
    }
}

/**
 * evs_index_get_file_mtime_us:
 *
 * The modification time of @path in µs, as the cache keys use it: take it
 * before a scan and hand it to evs_index_save_counts(), so that a file that
 * changed during the scan is not cached.
 *
 * Returns: the time, or -1 when @path is %NULL or cannot be stat'ed
 */
gint64
evs_index_get_file_mtime_us (const char *path)
{
  GStatBuf st;

  if (path == NULL || g_stat (path, &st) != 0)
    return -1;
  return (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
}

static gboolean
compute_key (const char   *path,
             CacheHeader  *header,
             GError      **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  guint8 head[HEAD_BYTES];
  gsize len = 0;
  gsize digest_len = sizeof header->head_digest;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot stat “%s”", path);
      return FALSE;
    }

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return FALSE;
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), head, sizeof head, &len, NULL, error))
    return FALSE;

  g_checksum_update (checksum, head, len);
  g_checksum_get_digest (checksum, header->head_digest, &digest_len);

  header->file_size = (guint64) st.st_size;
  header->mtime_us = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
  header->inode = (guint64) st.st_ino;

  return TRUE;
}

static EvsIndex *
build (EvsReader             *reader,
       GCancellable          *cancellable,
       EvsIndexChunkFunc      chunk_func,
       gpointer               chunk_data,
       EvsIndexProgressFunc   progress,
       gpointer               user_data,
       GError               **error)
{
  g_autoptr(EvsIndex) self = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  const EvsRecordingInfo *info;
  gint64 running_max = G_MININT64;
  guint n_chunks = 0;
  gboolean scan;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);

  info = evs_reader_get_info (reader);
  self = evs_index_new ();

  /* The key is taken before the scan: a file that changes during it is
   * indexed again next time. */
  if (info->path != NULL && !compute_key (info->path, &self->header, error))
    return NULL;

  if (!evs_reader_rewind (reader, error))
    return NULL;

  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  /* Without a chunk function, a reader that can count without decoding
   * (EvsReaderClass.scan) does; EVS_DISABLE_INDEX_SCAN forces the decoding,
   * for tests. */
  scan = chunk_func == NULL && g_getenv ("EVS_DISABLE_INDEX_SCAN") == NULL;

  for (;;)
    {
      EvsIndexEntry entry = { 0 };
      gint64 t_max = G_MININT64;
      guint32 n_on = 0;
      guint16 max_x = 0, max_y = 0;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      evs_reader_tell (reader, &entry.position);

      if (scan)
        {
          EvsScanFacts facts;
          int r = _evs_reader_scan (reader, chunk->capacity, &facts, error);

          if (r < 0)
            return NULL;
          if (r > 0)
            {
              if (facts.n_events == 0)
                break;
              entry.position.t = running_max;
              entry.t_first = facts.t_first;
              entry.t_last = facts.t_max;
              entry.n_events = (guint32) facts.n_events;
              entry.n_on = (guint32) facts.n_on;
              g_array_append_val (self->entries, entry);

              if (self->header.n_events == 0)
                self->header.t_first = facts.t_first;
              self->header.n_events += facts.n_events;
              self->header.n_on += facts.n_on;
              self->header.max_x = MAX (self->header.max_x, facts.max_x);
              self->header.max_y = MAX (self->header.max_y, facts.max_y);
              running_max = MAX (running_max, facts.t_max);

              if (progress != NULL && (++n_chunks % 16) == 0)
                progress (evs_reader_get_fraction (reader), self->header.n_events, user_data);
              continue;
            }
          scan = FALSE;
        }

      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;
      if (chunk_func != NULL)
        chunk_func (chunk, chunk_data);

      {
        EvsChunkFacts facts;

        if (_evs_reader_get_chunk_facts (reader, &facts) && facts.sorted)
          {
            max_x = facts.max_x;
            max_y = facts.max_y;
            /* Validation already measured the chunk: only ON is left to count */
            t_max = chunk->t[chunk->n_events - 1];
            for (gsize i = 0; i < chunk->n_events; i++)
              n_on += chunk->p[i];
          }
        else
          {
            max_x = max_y = 0;
            for (gsize i = 0; i < chunk->n_events; i++)
              {
                t_max = MAX (t_max, chunk->t[i]);
                n_on += chunk->p[i];
                max_x = MAX (max_x, chunk->x[i]);
                max_y = MAX (max_y, chunk->y[i]);
              }
          }
      }

      entry.position.t = running_max;
      entry.t_first = chunk->t[0];
      entry.t_last = t_max;
      entry.n_events = (guint32) chunk->n_events;
      entry.n_on = n_on;
      g_array_append_val (self->entries, entry);

      if (self->header.n_events == 0)
        self->header.t_first = chunk->t[0];
      self->header.n_events += chunk->n_events;
      self->header.n_on += n_on;
      self->header.max_x = MAX (self->header.max_x, max_x);
      self->header.max_y = MAX (self->header.max_y, max_y);
      running_max = MAX (running_max, t_max);

      if (progress != NULL && (++n_chunks % 16) == 0)
        progress (evs_reader_get_fraction (reader), self->header.n_events, user_data);
    }

  if (self->header.n_events > 0)
    self->header.t_last = running_max;
  self->header.n_entries = self->entries->len;
  self->header.stats = *evs_reader_get_stats (reader);

  if (progress != NULL)
    progress (1.0, self->header.n_events, user_data);

  if (!evs_reader_rewind (reader, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * evs_index_build:
 * @reader: a reader; it is rewound before and after the scan
 * @progress: (nullable): called every few chunks from this thread
 *
 * Decodes the whole recording once, keeping one resumable position per
 * chunk and the totals.  Memory is O(chunks): about 1 MB per 10⁹ events.
 *
 * Returns: (transfer full): the index, or %NULL on error or cancellation
 */
EvsIndex *
evs_index_build (EvsReader             *reader,
                 GCancellable          *cancellable,
                 EvsIndexProgressFunc   progress,
                 gpointer               user_data,
                 GError               **error)
{
  g_return_val_if_fail (EVS_IS_READER (reader), NULL);

  return build (reader, cancellable, NULL, NULL, progress, user_data, error);
}

/**
 * evs_index_get_cache_path:
 *
 * Returns: (transfer full): where the index of @recording_path is cached
 */
char *
evs_index_get_cache_path (const char *recording_path)
{
  g_autofree char *absolute = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (recording_path != NULL, NULL);

  absolute = g_canonicalize_filename (recording_path, NULL);
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, absolute, -1);
  name = g_strconcat (digest, ".idx", NULL);

  return g_build_filename (g_get_user_cache_dir (), "evscope", "index", name, NULL);
}

/**
 * evs_index_load:
 * @cache_path: a file written by evs_index_save()
 * @reader: the reader of the recording the index must describe
 *
 * Returns: (transfer full): the cached index, or %NULL if it is missing,
 *   unreadable or stale (the recording changed), with @error set
 */
EvsIndex *
evs_index_load (const char  *cache_path,
                EvsReader   *reader,
                GError     **error)
{
  g_autoptr(EvsIndex) self = NULL;
  g_autofree char *contents = NULL;
  const EvsRecordingInfo *info;
  CacheHeader expected = { 0 };
  CacheHeader header;
  gsize len = 0;

  g_return_val_if_fail (cache_path != NULL, NULL);
  g_return_val_if_fail (EVS_IS_READER (reader), NULL);

  info = evs_reader_get_info (reader);
  if (info->path == NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "The reader has no file");
      return NULL;
    }
  if (!compute_key (info->path, &expected, error))
    return NULL;

  if (!g_file_get_contents (cache_path, &contents, &len, error))
    return NULL;

  if (len < sizeof header)
    goto stale;
  memcpy (&header, contents, sizeof header);

  if (memcmp (header.magic, CACHE_MAGIC, 8) != 0
      || header.entry_size != sizeof (EvsIndexEntry)
      || header.file_size != expected.file_size
      || header.mtime_us != expected.mtime_us
      || header.inode != expected.inode
      || memcmp (header.head_digest, expected.head_digest, sizeof header.head_digest) != 0
      || header.n_entries != (len - sizeof header) / sizeof (EvsIndexEntry)
      || (len - sizeof header) % sizeof (EvsIndexEntry) != 0)
    goto stale;

  self = evs_index_new ();
  self->header = header;
  g_array_append_vals (self->entries, contents + sizeof header, (guint) header.n_entries);

  return g_steal_pointer (&self);

stale:
  g_set_error (error, EVS_ERROR, EVS_ERROR_CORRUPT,
               "The cached index “%s” does not match the recording", cache_path);
  return NULL;
}

/**
 * evs_index_save:
 *
 * Writes the index atomically to @cache_path, creating its folder.
 */
gboolean
evs_index_save (EvsIndex    *self,
                const char  *cache_path,
                GError     **error)
{
  g_autofree char *dir = NULL;
  g_autoptr(GByteArray) bytes = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cache_path != NULL, FALSE);

  dir = g_path_get_dirname (cache_path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot create the cache folder “%s”", dir);
      return FALSE;
    }

  bytes = g_byte_array_sized_new (sizeof self->header + self->entries->len * sizeof (EvsIndexEntry));
  g_byte_array_append (bytes, (const guint8 *) &self->header, sizeof self->header);
  g_byte_array_append (bytes, (const guint8 *) self->entries->data,
                       self->entries->len * sizeof (EvsIndexEntry));

  return g_file_set_contents (cache_path, (const char *) bytes->data, bytes->len, error);
}

/**
 * evs_index_ensure:
 *
 * Loads the cached index of the reader's file, or builds it (and caches it,
 * ignoring a cache that cannot be written) when it is missing or stale.
 * The reader is left at the start with the index attached.
 *
 * Returns: (transfer full): the index, or %NULL on error or cancellation
 */
EvsIndex *
evs_index_ensure (EvsReader             *reader,
                  GCancellable          *cancellable,
                  EvsIndexProgressFunc   progress,
                  gpointer               user_data,
                  GError               **error)
{
  return evs_index_ensure_full (reader, cancellable, NULL, NULL, NULL, progress, user_data,
                                error);
}

/**
 * evs_index_ensure_full:
 * @chunk_func: (nullable): called with every chunk when the recording is
 *   scanned
 * @scanned: (out) (optional): set to %TRUE when the recording was scanned
 *   (so @chunk_func saw every event), %FALSE when the cache was used
 *
 * Like evs_index_ensure(), letting a caller gather other statistics in the
 * same pass when the index has to be built.
 *
 * Returns: (transfer full): the index, or %NULL on error or cancellation
 */
EvsIndex *
evs_index_ensure_full (EvsReader             *reader,
                       GCancellable          *cancellable,
                       EvsIndexChunkFunc      chunk_func,
                       gpointer               chunk_data,
                       gboolean              *scanned,
                       EvsIndexProgressFunc   progress,
                       gpointer               user_data,
                       GError               **error)
{
  g_autoptr(EvsIndex) self = NULL;
  g_autofree char *cache_path = NULL;
  const EvsRecordingInfo *info;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);

  if (scanned != NULL)
    *scanned = FALSE;
  info = evs_reader_get_info (reader);
  if (info->path != NULL)
    {
      cache_path = evs_index_get_cache_path (info->path);
      self = evs_index_load (cache_path, reader, NULL);
    }

  if (self == NULL)
    {
      g_autoptr(GError) save_error = NULL;

      self = build (reader, cancellable, chunk_func, chunk_data, progress, user_data, error);
      if (self == NULL)
        return NULL;
      if (scanned != NULL)
        *scanned = TRUE;

      if (cache_path != NULL && !evs_index_save (self, cache_path, &save_error))
        g_debug ("Index not cached: %s", save_error->message);
    }
  else if (progress != NULL)
    progress (1.0, self->header.n_events, user_data);

  evs_reader_set_index (reader, self);

  return g_steal_pointer (&self);
}

/**
 * evs_index_lookup:
 * @position: (out): where to resume decoding
 *
 * Finds the last indexed position before which no event has a time ≥ @t_us,
 * so that decoding from there reaches the first such event in file order.
 */
void
evs_index_lookup (EvsIndex          *self,
                  gint64             t_us,
                  EvsReaderPosition *position)
{
  const EvsIndexEntry *entries;
  guint lo = 0, hi;

  g_return_if_fail (self != NULL);
  g_return_if_fail (position != NULL);

  entries = (const EvsIndexEntry *) (gpointer) self->entries->data;
  hi = self->entries->len;

  if (hi == 0)
    {
      memset (position, 0, sizeof *position);
      position->t = G_MININT64;
      return;
    }

  /* position.t is non-decreasing: find the last entry with t < t_us. */
  while (lo + 1 < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (entries[mid].position.t < t_us)
        lo = mid;
      else
        hi = mid;
    }

  *position = entries[lo].position;
}

guint64
evs_index_get_n_events (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->header.n_events;
}

guint64
evs_index_get_n_on (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->header.n_on;
}

gint64
evs_index_get_t_first (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->header.t_first;
}

gint64
evs_index_get_t_last (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->header.t_last;
}

/**
 * evs_index_get_extent:
 *
 * The sensor size the events need: largest x + 1 and largest y + 1.
 */
void
evs_index_get_extent (EvsIndex *self,
                      guint    *width,
                      guint    *height)
{
  g_return_if_fail (self != NULL);

  *width = self->header.n_events > 0 ? self->header.max_x + 1 : 0;
  *height = self->header.n_events > 0 ? self->header.max_y + 1 : 0;
}

const EvsIndexEntry *
evs_index_get_entries (EvsIndex *self,
                       guint    *n_entries)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_entries != NULL)
    *n_entries = self->entries->len;

  return (const EvsIndexEntry *) (gpointer) self->entries->data;
}

const EvsReaderStats *
evs_index_get_stats (EvsIndex *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->header.stats;
}

/* Per-pixel counts cache: a header keyed like the index, then width ×
 * height native-endian guint32 counts. */

#define COUNTS_MAGIC "EVSCNT01"
#define MAX_COUNTS_SIDE 65536

typedef struct
{
  char    magic[8];
  guint32 width;
  guint32 height;
  guint64 file_size;
  gint64  mtime_us;
  guint64 inode;
  guint8  head_digest[32];
  gint64  t_first;
  gint64  t_last;
} CountsHeader;

static char *
counts_cache_path (const char *recording_path)
{
  g_autofree char *index_path = evs_index_get_cache_path (recording_path);

  return g_strconcat (index_path, ".counts", NULL);
}

/**
 * evs_index_save_counts:
 * @recording_path: the recording the counts describe
 * @scan_mtime_us: the recording's modification time (µs) before the scan
 *   that counted: when it changed since, nothing is cached
 * @counts: @width × @height events per pixel, row by row
 * @t_first: the earliest event time
 * @t_last: the latest event time
 *
 * Caches the whole-recording per-pixel counts beside the index, keyed like
 * it (path, size, mtime, inode, first bytes), so that later exports with
 * `hot_pixels` need no counting pass.
 *
 * Returns: %TRUE when cached
 */
gboolean
evs_index_save_counts (const char     *recording_path,
                       gint64          scan_mtime_us,
                       const guint32  *counts,
                       guint           width,
                       guint           height,
                       gint64          t_first,
                       gint64          t_last,
                       GError        **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GByteArray) bytes = NULL;
  CountsHeader header;
  CacheHeader key;

  g_return_val_if_fail (recording_path != NULL, FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  if (width == 0 || height == 0 || width > MAX_COUNTS_SIDE || height > MAX_COUNTS_SIDE)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Cannot cache pixel counts of a %u×%u sensor", width, height);
      return FALSE;
    }
  memset (&key, 0, sizeof key);
  if (!compute_key (recording_path, &key, error))
    return FALSE;
  if (key.mtime_us != scan_mtime_us)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO,
                   "“%s” changed while it was counted", recording_path);
      return FALSE;
    }

  memset (&header, 0, sizeof header);
  memcpy (header.magic, COUNTS_MAGIC, 8);
  header.width = width;
  header.height = height;
  header.file_size = key.file_size;
  header.mtime_us = key.mtime_us;
  header.inode = key.inode;
  memcpy (header.head_digest, key.head_digest, sizeof header.head_digest);
  header.t_first = t_first;
  header.t_last = t_last;

  path = counts_cache_path (recording_path);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Cannot create “%s”", dir);
      return FALSE;
    }
  bytes = g_byte_array_sized_new (sizeof header + (gsize) width * height * sizeof (guint32));
  g_byte_array_append (bytes, (const guint8 *) &header, sizeof header);
  g_byte_array_append (bytes, (const guint8 *) counts,
                       (guint) ((gsize) width * height * sizeof (guint32)));

  return g_file_set_contents (path, (const char *) bytes->data, bytes->len, error);
}

/**
 * evs_index_load_counts:
 * @width: (out): the counts' width
 * @height: (out): the counts' height
 * @t_first: (out): the earliest event time
 * @t_last: (out): the latest event time
 *
 * Returns: (transfer full) (nullable): the cached per-pixel counts of the
 *   recording as it is now, or %NULL when there are none, or they are
 *   unreadable or stale (the recording changed)
 */
guint32 *
evs_index_load_counts (const char  *recording_path,
                       guint       *width,
                       guint       *height,
                       gint64      *t_first,
                       gint64      *t_last)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  CountsHeader header;
  CacheHeader key;
  guint32 *counts;
  gsize n;

  g_return_val_if_fail (recording_path != NULL, NULL);

  memset (&key, 0, sizeof key);
  if (!compute_key (recording_path, &key, NULL))
    return NULL;
  path = counts_cache_path (recording_path);
  if (!g_file_get_contents (path, &contents, &len, NULL) || len < sizeof header)
    return NULL;
  memcpy (&header, contents, sizeof header);
  if (memcmp (header.magic, COUNTS_MAGIC, 8) != 0
      || header.width == 0 || header.height == 0
      || header.width > MAX_COUNTS_SIDE || header.height > MAX_COUNTS_SIDE
      || header.file_size != key.file_size
      || header.mtime_us != key.mtime_us
      || header.inode != key.inode
      || memcmp (header.head_digest, key.head_digest, sizeof header.head_digest) != 0
      || header.t_last < header.t_first)
    return NULL;
  n = (gsize) header.width * header.height;
  if (len - sizeof header != n * sizeof (guint32))
    return NULL;

  counts = g_new (guint32, n);
  memcpy (counts, contents + sizeof header, n * sizeof (guint32));
  *width = header.width;
  *height = header.height;
  *t_first = header.t_first;
  *t_last = header.t_last;
  return counts;
}
