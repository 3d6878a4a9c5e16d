/* bench-text-aedat4.c
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

/* Throughput of the CSV writer, the text reader (integer µs CSV and float
 * seconds) and the AEDAT 4.0 reader (the real fixtures, read repeatedly).
 * Prints one line per measurement. */

#define N_EVENTS (2 * 1000 * 1000)

static double
read_file (const char *path,
           guint64    *n_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  *n_events = 0;
  while (evs_reader_read (reader, chunk, &error) && chunk->n_events > 0)
    *n_events += chunk->n_events;
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
report (const char *what,
        guint64     n,
        double      seconds,
        guint64     bytes)
{
  g_print ("%-34s %10" G_GUINT64_FORMAT " events %8.3f s %8.2f Mev/s %8.1f MB/s\n", what, n,
           seconds, n / seconds / 1e6, bytes / seconds / 1e6);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *csv = g_build_filename (dir, "bench.csv", NULL);
  g_autofree char *txt = g_build_filename (dir, "bench.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  const char *fixtures = g_getenv ("EVS_FIXTURES_DIR");
  const char *aedat4[] = { "tonic/sample.aedat4", "aestream/davis.aedat4" };
  gint64 t = G_GINT64_CONSTANT (1633953690975950);
  gint64 start;
  guint64 n;
  double s;

  /* CSV writer */
  writer = evs_writer_new (EVS_FORMAT_CSV, csv, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  start = g_get_monotonic_time ();
  for (guint done = 0; done < N_EVENTS; done += chunk->n_events)
    {
      evs_event_chunk_clear (chunk);
      for (guint i = 0; i < chunk->capacity && done + i < N_EVENTS; i++)
        {
          t += g_rand_int_range (rand, 0, 3);
          evs_event_chunk_push (chunk, t, g_rand_int_range (rand, 0, 1280),
                                g_rand_int_range (rand, 0, 720), g_rand_int_range (rand, 0, 2));
        }
      g_assert_true (evs_writer_write (writer, chunk, &error));
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  s = (g_get_monotonic_time () - start) / 1e6;
  {
    g_autoptr(GFile) file = g_file_new_for_path (csv);
    g_autoptr(GFileInfo) fi = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL,
                                                 NULL);

    report ("csv write (incl. event generation)", N_EVENTS, s, g_file_info_get_size (fi));
    s = read_file (csv, &n);
    g_assert_cmpuint (n, ==, N_EVENTS);
    report ("text read, CSV integer us", n, s, g_file_info_get_size (fi));
  }

  /* RPG layout: float seconds with 9 decimals */
  {
    g_autoptr(GString) text = g_string_sized_new (N_EVENTS / 2 * 32);

    for (guint i = 0; i < N_EVENTS / 2; i++)
      g_string_append_printf (text, "1468939993.%09u %u %u %u\n", i * 100, i % 240, i % 180,
                              i & 1);
    g_assert_true (g_file_set_contents (txt, text->str, text->len, &error));
    s = read_file (txt, &n);
    g_assert_cmpuint (n, ==, N_EVENTS / 2);
    report ("text read, float seconds", n, s, text->len);
  }

  for (guint i = 0; fixtures != NULL && i < G_N_ELEMENTS (aedat4); i++)
    {
      g_autofree char *path = g_build_filename (fixtures, aedat4[i], NULL);
      guint64 total = 0;
      double total_s = 0;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      for (guint k = 0; k < 20; k++)
        {
          total_s += read_file (path, &n);
          total += n;
        }
      report (aedat4[i], total, total_s, 0);
    }

  evs_test_remove_tree (dir);
  return 0;
}
