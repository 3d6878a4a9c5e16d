/* test-evt3-encoder.c
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

#include "evs-test-utils.h"
#include "evs-writer-private.h"

#include <glib/gstdio.h>
#include <string.h>

/*
 * The EVT 3.0 writer's AVX-512 block encoder (16 events at a time) must
 * write exactly the bytes of the scalar encoder, on every kind of stream:
 * scattered events, rows of events at one time (vector groups), repeated
 * rows and times, polarity changes, TIME_HIGH steps and long gaps, cut
 * into chunks of every size.
 */

typedef enum {
  STREAM_SCATTERED,
  STREAM_ROWS,
  STREAM_MIXED,
  STREAM_GAPS,
  N_STREAMS
} StreamKind;

static EvsEventChunk *
make_stream (StreamKind kind,
             guint      n,
             guint32    seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  EvsEventChunk *chunk = evs_event_chunk_new (n);
  gint64 t = 5;

  while (chunk->n_events < n)
    {
      guint r = g_rand_int_range (rand, 0, 100);

      switch (kind)
        {
        case STREAM_SCATTERED:
          t += g_rand_int_range (rand, 0, 3);
          evs_event_chunk_push (chunk, t, (guint16) g_rand_int_range (rand, 0, 640),
                                (guint16) g_rand_int_range (rand, 0, 480),
                                (guint8) g_rand_int_range (rand, 0, 2));
          break;

        case STREAM_ROWS:
        case STREAM_MIXED:
          if (kind == STREAM_ROWS || r < 30)
            {
              /* a row of events at one time: bursts, near misses (gaps of
               * 31 and 32 columns), polarity flips */
              guint16 y = (guint16) g_rand_int_range (rand, 0, 480);
              guint16 x = (guint16) g_rand_int_range (rand, 0, 400);
              guint8 p = (guint8) g_rand_int_range (rand, 0, 2);
              guint len = g_rand_int_range (rand, 1, 40);

              t += g_rand_int_range (rand, 0, 2);
              for (guint k = 0; k < len && chunk->n_events < n && x < 640; k++)
                {
                  evs_event_chunk_push (chunk, t, x, y, p);
                  x += (guint16) (g_rand_int_range (rand, 0, 10) == 0
                                  ? g_rand_int_range (rand, 30, 34)
                                  : g_rand_int_range (rand, 1, 3));
                  if (g_rand_int_range (rand, 0, 12) == 0)
                    p ^= 1;
                }
            }
          else
            {
              /* events on few rows and times: ADDR_Y and TIME_LOW words
               * kept and dropped in every pattern */
              t += g_rand_int_range (rand, 0, 4) == 0;
              evs_event_chunk_push (chunk, t, (guint16) g_rand_int_range (rand, 0, 640),
                                    (guint16) g_rand_int_range (rand, 100, 103),
                                    (guint8) g_rand_int_range (rand, 0, 2));
            }
          break;

        case STREAM_GAPS:
        case N_STREAMS:
        default:
          /* TIME_HIGH steps inside and between blocks, long gaps, loops */
          if (r < 2)
            t += g_rand_int_range (rand, 4096, 50000000);
          else if (r < 20)
            t += g_rand_int_range (rand, 100, 5000);
          else
            t += g_rand_int_range (rand, 0, 2);
          evs_event_chunk_push (chunk, t, (guint16) g_rand_int_range (rand, 0, 640),
                                (guint16) g_rand_int_range (rand, 0, 4),
                                (guint8) g_rand_int_range (rand, 0, 2));
          break;
        }
    }
  return chunk;
}

static char *
write_evt3 (const char          *dir,
            const char          *name,
            const EvsEventChunk *events,
            gsize                chunk_size,
            gboolean             simd)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (chunk_size);

  g_assert_no_error (error);
  info->format = EVS_FORMAT_EVT3;
  info->width = 640;
  info->height = 480;
  info->geometry_known = TRUE;
  g_assert_cmpint (_evs_raw_writer_set_simd (writer, simd), ==, simd);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < events->n_events; i += chunk_size)
    {
      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, events, i, MIN (chunk_size, events->n_events - i));
      g_assert_true (evs_writer_write (writer, part, &error));
      g_assert_no_error (error);
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  return path;
}

/* The event data after the "% …" header lines */
static const char *
skip_header (const char *data,
             gsize      *len)
{
  const char *p = data;

  while ((gsize) (p - data) < *len && *p == '%')
    {
      const char *nl = memchr (p, '\n', *len - (gsize) (p - data));

      g_assert_nonnull (nl);
      p = nl + 1;
    }
  *len -= (gsize) (p - data);
  return p;
}

static void
test_same_bytes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("evscope-evt3-encoder-XXXXXX", &error);
  const gsize sizes[] = { 1, 15, 16, 17, 33, 1000, 65536 };
  g_autoptr(EvsWriter) probe = evs_writer_new (EVS_FORMAT_EVT3, "/nonexistent/probe.raw", NULL);

  g_assert_no_error (error);
  if (probe == NULL || !_evs_raw_writer_set_simd (probe, TRUE))
    {
      g_test_skip ("no AVX-512 (this CPU, or EVS_DISABLE_AVX512): only the scalar encoder runs");
      g_rmdir (dir);
      return;
    }

  for (StreamKind kind = 0; kind < N_STREAMS; kind++)
    {
      g_autoptr(EvsEventChunk) events = make_stream (kind, 150000, 17 + kind);

      for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
        {
          g_autofree char *a = write_evt3 (dir, "simd.raw", events, sizes[k], TRUE);
          g_autofree char *b = write_evt3 (dir, "scalar.raw", events, sizes[k], FALSE);
          g_autofree char *da = NULL, *db = NULL;
          gsize la, lb;
          g_autoptr(EvsEventChunk) back = NULL;

          g_assert_true (g_file_get_contents (a, &da, &la, NULL));
          g_assert_true (g_file_get_contents (b, &db, &lb, NULL));
          g_test_message ("stream %d, chunks of %" G_GSIZE_FORMAT ": %" G_GSIZE_FORMAT " bytes",
                          kind, sizes[k], la);
          /* the headers differ in their date line when a second passes */
          g_assert_cmpmem (skip_header (da, &la), la, skip_header (db, &lb), lb);

          /* and it reads back as written */
          back = evs_test_read_all (a, 4096, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (back->n_events, ==, events->n_events);
          evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
          g_unlink (a);
          g_unlink (b);
        }
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/evt3-encoder/same-bytes", test_same_bytes);

  return g_test_run ();
}
