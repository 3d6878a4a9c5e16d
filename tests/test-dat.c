/* test-dat.c
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

#include <glib/gstdio.h>
#include <string.h>

/* Values from shared/fixtures/real/expelliarmus/README.md and tonic/README.md */
static void
test_ncars_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_DAT);
  g_assert_false (evs_reader_get_info (reader)->geometry_known);
  g_assert_cmpstr (evs_recording_info_lookup (evs_reader_get_info (reader), "Version"), ==, "2");

  all = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);

  g_assert_cmpuint (s.n_events, ==, 4407);
  g_assert_cmpint (s.t_min, ==, 0);
  g_assert_cmpint (s.t_max, ==, 99937);
  g_assert_true (s.monotonic);
  g_assert_cmpuint (s.x_min, ==, 0);
  g_assert_cmpuint (s.x_max, ==, 53);
  g_assert_cmpuint (s.y_min, ==, 1);
  g_assert_cmpuint (s.y_max, ==, 60);
  g_assert_cmpuint (s.n_on, ==, 1671);
  g_assert_cmpuint (s.n_off, ==, 2736);
  g_assert_cmpuint (s.sum_t, ==, 239318661);
  g_assert_cmpuint (s.sum_x, ==, 108033);
  g_assert_cmpuint (s.sum_y, ==, 134194);

  evs_test_assert_event (all, 0, 0, 6, 18, 1);
  evs_test_assert_event (all, 1, 66, 42, 35, 0);
  evs_test_assert_event (all, 2, 89, 38, 19, 0);
  evs_test_assert_event (all, 3, 94, 27, 24, 1);
  evs_test_assert_event (all, 4, 95, 41, 38, 1);
  evs_test_assert_event (all, all->n_events - 1, 99937, 48, 47, 1);
}

static void
test_tonic_ncars_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("tonic/sample_ncars.dat");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  EvsTestSummary s;

  if (path == NULL)
    return;

  all = evs_test_read_all (path, 64, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);

  g_assert_cmpuint (s.n_events, ==, 2009);
  g_assert_cmpint (s.t_min, ==, 0);
  g_assert_cmpint (s.t_max, ==, 99952);
  g_assert_cmpuint (s.x_max, ==, 77);
  g_assert_cmpuint (s.y_max, ==, 41);
  g_assert_cmpuint (s.n_on, ==, 1350);
  g_assert_cmpuint (s.n_off, ==, 659);
  g_assert_cmpuint (s.sum_t, ==, 98196680);
  g_assert_cmpuint (s.sum_x, ==, 93457);
  g_assert_cmpuint (s.sum_y, ==, 40463);
  evs_test_assert_event (all, 0, 0, 25, 8, 0);
  evs_test_assert_event (all, 2, 152, 56, 27, 1);
  evs_test_assert_event (all, all->n_events - 1, 99952, 75, 28, 1);
}

static void
test_seek (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");

  if (path == NULL)
    return;

  evs_test_check_seek (path, 40);
}

static void
test_damaged (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");

  if (path == NULL)
    return;

  evs_test_check_damaged (path, 60, 60);
}

/* Round trip through the writer, with a time wrap past 2^32 µs, sensor
 * geometry and provenance comments. */
static void
test_round_trip (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (10000);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const char *comments[] = { "evscope_source in.raw", NULL };
  gint64 t = G_GINT64_CONSTANT (4294967296) - 5000;

  for (guint i = 0; i < 10000; i++)
    {
      t += g_rand_int_range (rand, 0, 3);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, 640),
                            g_rand_int_range (rand, 0, 480), g_rand_int_range (rand, 0, 2));
    }
  info->width = 640;
  info->height = 480;

  writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, comments, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (evs_writer_write (writer, events, &error));
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (evs_writer_get_n_events (writer), ==, 10000);

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_reader_get_info (reader)->geometry_known);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 640);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 480);
  g_assert_cmpstr (evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_source"), ==,
                   "in.raw");

  /* The first event is below 2^32, so the wrap is unwrapped back. */
  back = evs_test_read_reader (reader, 333, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, 10000);
  evs_test_assert_chunks_equal (back, 0, events, 0, 10000);

  evs_test_remove_tree (dir);
}

/* Times DAT's 32-bit field cannot give back are refused: a first time past
 * 2^32 µs (epoch times from AEDAT 4) and a step forward of 2^31 µs or more;
 * the step just below is unwrapped back. */
static void
test_time_limits (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  const gint64 two31 = G_GINT64_CONSTANT (1) << 31;
  const gint64 two32 = G_GINT64_CONSTANT (1) << 32;
  const struct
  {
    gint64   t[3];
    gboolean ok;
  } cases[] = {
    { { 1633953690975950, 1633953690975951, 1633953690975952 }, FALSE },
    { { two32, two32 + 1, two32 + 2 }, FALSE },
    { { two32 - 1, two32 + 5, two32 + 5 + two31 - 1 }, TRUE },
    { { 10, 20, 20 + two31 }, FALSE },
    { { 10, 20, 15 }, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);
      g_autoptr(EvsEventChunk) events = evs_event_chunk_new (3);
      g_autoptr(EvsEventChunk) last = evs_event_chunk_new (1);

      g_unlink (path);
      g_assert_true (evs_writer_begin (writer, info, NULL, &error));
      g_assert_no_error (error);
      evs_event_chunk_push (events, cases[i].t[0], 1, 2, 1);
      evs_event_chunk_push (events, cases[i].t[1], 3, 4, 0);
      /* the third event in its own chunk: the limit carries over */
      evs_event_chunk_push (last, cases[i].t[2], 5, 6, 1);
      if (cases[i].ok)
        {
          g_autoptr(EvsEventChunk) back = NULL;

          g_assert_true (evs_writer_write (writer, events, &error));
          g_assert_true (evs_writer_write (writer, last, &error));
          g_assert_true (evs_writer_finish (writer, &error));
          g_assert_no_error (error);
          back = evs_test_read_all (path, 64, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (back->n_events, ==, 3);
          for (guint k = 0; k < 3; k++)
            g_assert_cmpint (back->t[k], ==, cases[i].t[k]);
        }
      else
        {
          gboolean ok = evs_writer_write (writer, events, &error)
                        && evs_writer_write (writer, last, &error);

          g_assert_false (ok);
          g_assert_error (error, EVS_ERROR, EVS_ERROR_UNSUPPORTED);
          g_assert_nonnull (strstr (error->message, "32-bit"));
          g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
        }
    }

  evs_test_remove_tree (dir);
}

/* A failing writer leaves an existing target untouched and no temp file. */
static void
test_atomic (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "keep.dat", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (4);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autofree char *contents = NULL;
  g_autoptr(GDir) d = NULL;
  guint n_files = 0;

  g_assert_true (g_file_set_contents (path, "precious", -1, NULL));

  {
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);

    g_assert_true (evs_writer_begin (writer, info, NULL, &error));
    evs_event_chunk_push (events, 1, 1, 1, 1);
    evs_event_chunk_push (events, -5, 1, 1, 1); /* DAT cannot store negative time */
    g_assert_false (evs_writer_write (writer, events, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }

  {
    /* Dropped without finish: nothing replaces the target */
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);

    g_assert_true (evs_writer_begin (writer, info, NULL, &error));
    evs_event_chunk_clear (events);
    evs_event_chunk_push (events, 1, 1, 1, 1);
    g_assert_true (evs_writer_write (writer, events, &error));
  }

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "precious");

  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  evs_test_remove_tree (dir);
}

static void
test_unwritable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, "/nonexistent-dir/x.dat", &error);

  g_assert_no_error (error);
  g_assert_false (evs_writer_begin (writer, info, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent-dir"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/dat/fixture/ncars", test_ncars_fixture);
  g_test_add_func ("/evs/dat/fixture/tonic-ncars", test_tonic_ncars_fixture);
  g_test_add_func ("/evs/dat/seek", test_seek);
  g_test_add_func ("/evs/dat/damaged", test_damaged);
  g_test_add_func ("/evs/dat/round-trip", test_round_trip);
  g_test_add_func ("/evs/dat/time-limits", test_time_limits);
  g_test_add_func ("/evs/dat/atomic", test_atomic);
  g_test_add_func ("/evs/dat/unwritable", test_unwritable);

  return g_test_run ();
}
