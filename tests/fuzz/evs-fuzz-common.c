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
#include <unistd.h>

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
