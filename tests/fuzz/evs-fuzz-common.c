/* evs-fuzz-common.c
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

#include "config.h"

#include "evs-fuzz-common.h"
#include "evs-core.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* The index built by the reader's scan (when it has one) and by decoding
 * (EVS_DISABLE_INDEX_SCAN) must be the same, or both fail: this also reads
 * the file with full-size chunks, where the fast paths of the decoders run */
static EvsIndex *
build_index (const char *path,
             gboolean    scan)
{
  g_autoptr(EvsReader) reader = evs_reader_open (path, NULL);
  EvsIndex *index;

  if (reader == NULL)
    return NULL;
  if (!scan)
    g_setenv ("EVS_DISABLE_INDEX_SCAN", "1", TRUE);
  index = evs_index_build (reader, NULL, NULL, NULL, NULL);
  g_unsetenv ("EVS_DISABLE_INDEX_SCAN");
  return index;
}

static void
evs_fuzz_check_index (const char *path)
{
  g_autoptr(EvsIndex) a = build_index (path, TRUE);
  g_autoptr(EvsIndex) b = build_index (path, FALSE);
  const EvsIndexEntry *ea, *eb;
  guint na, nb, wa, ha, wb, hb;

  g_assert ((a == NULL) == (b == NULL));
  if (a == NULL)
    return;
  ea = evs_index_get_entries (a, &na);
  eb = evs_index_get_entries (b, &nb);
  g_assert (na == nb);
  g_assert (na == 0 || memcmp (ea, eb, na * sizeof (EvsIndexEntry)) == 0);
  g_assert (memcmp (evs_index_get_stats (a), evs_index_get_stats (b), sizeof (EvsReaderStats)) == 0);
  g_assert (evs_index_get_n_events (a) == evs_index_get_n_events (b));
  g_assert (evs_index_get_n_on (a) == evs_index_get_n_on (b));
  g_assert (evs_index_get_t_first (a) == evs_index_get_t_first (b));
  g_assert (evs_index_get_t_last (a) == evs_index_get_t_last (b));
  evs_index_get_extent (a, &wa, &ha);
  evs_index_get_extent (b, &wb, &hb);
  g_assert (wa == wb && ha == hb);
}

void
evs_fuzz_read (const char   *prefix,
               gsize         prefix_len,
               const guint8 *data,
               gsize         size)
{
  static char *path = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;
  g_autoptr(GByteArray) bytes = g_byte_array_sized_new (prefix_len + size);
  gint64 middle = 0;
  gboolean have_middle = FALSE;

  if (path == NULL)
    {
      int fd = g_file_open_tmp ("evscope-fuzz-XXXXXX", &path, NULL);

      g_assert (fd >= 0);
      close (fd);
    }

  g_byte_array_append (bytes, (const guint8 *) prefix, prefix_len);
  g_byte_array_append (bytes, data, size);
  g_assert (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));

  reader = evs_reader_open (path, NULL);
  if (reader == NULL)
    return;

  evs_fuzz_check_index (path);

  chunk = evs_event_chunk_new (EVS_CHUNK_MIN_CAPACITY);
  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint guard = 0; guard < 1000000; guard++)
        {
          if (!evs_reader_read (reader, chunk, NULL) || chunk->n_events == 0)
            break;
          if (!have_middle)
            {
              middle = chunk->t[chunk->n_events / 2];
              have_middle = TRUE;
            }
        }
      if (!have_middle || !evs_reader_seek (reader, middle, NULL))
        break;
    }
}
