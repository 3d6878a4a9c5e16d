/* test-events.c
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

static void
test_chunk_basics (void)
{
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (4);
  g_autoptr(EvsEventChunk) copy = NULL;
  guint8 keep[6] = { 1, 0, 1, 1, 0, 1 };

  g_assert_cmpuint (chunk->capacity, ==, 4);
  for (guint i = 0; i < 4; i++)
    evs_event_chunk_push (chunk, 10 * i, i, i + 1, i & 1);
  g_assert_cmpuint (evs_event_chunk_get_free (chunk), ==, 0);

  evs_event_chunk_reserve (chunk, 6);
  evs_event_chunk_push (chunk, 40, 4, 5, 0);
  evs_event_chunk_push (chunk, 50, 5, 6, 1);
  g_assert_cmpuint (chunk->n_events, ==, 6);
  evs_test_assert_event (chunk, 3, 30, 3, 4, 1);

  g_assert_cmpuint (evs_event_chunk_lower_bound (chunk, 25), ==, 3);
  g_assert_cmpuint (evs_event_chunk_lower_bound (chunk, 30), ==, 3);
  g_assert_cmpuint (evs_event_chunk_lower_bound (chunk, 51), ==, 6);
  g_assert_cmpuint (evs_event_chunk_lower_bound (chunk, -5), ==, 0);

  copy = evs_event_chunk_copy (chunk);
  g_assert_cmpuint (evs_event_chunk_compact (copy, keep), ==, 4);
  evs_test_assert_event (copy, 0, 0, 0, 1, 0);
  evs_test_assert_event (copy, 1, 20, 2, 3, 0);
  evs_test_assert_event (copy, 2, 30, 3, 4, 1);
  evs_test_assert_event (copy, 3, 50, 5, 6, 1);

  evs_event_chunk_drop_head (chunk, 4);
  g_assert_cmpuint (chunk->n_events, ==, 2);
  evs_test_assert_event (chunk, 0, 40, 4, 5, 0);
}

static void
test_format_names (void)
{
  for (guint i = 1; i < EVS_N_FORMATS; i++)
    g_assert_cmpint (evs_format_from_string (evs_format_to_string (i)), ==, i);

  g_assert_cmpint (evs_format_for_output_path ("a/b.raw"), ==, EVS_FORMAT_EVT3);
  g_assert_cmpint (evs_format_for_output_path ("b.DAT"), ==, EVS_FORMAT_DAT);
  g_assert_cmpint (evs_format_for_output_path ("b.h5"), ==, EVS_FORMAT_DSEC_HDF5);
  g_assert_cmpint (evs_format_for_output_path ("b.hdf5"), ==, EVS_FORMAT_DSEC_HDF5);
  g_assert_cmpint (evs_format_for_output_path ("b.csv"), ==, EVS_FORMAT_CSV);
  g_assert_cmpint (evs_format_for_output_path ("b.txt"), ==, EVS_FORMAT_CSV);
  g_assert_cmpint (evs_format_for_output_path ("dir.raw/b"), ==, EVS_FORMAT_UNKNOWN);
  g_assert_cmpint (evs_format_from_string ("nope"), ==, EVS_FORMAT_UNKNOWN);
}

static void
test_unknown_content (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "junk.raw", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.raw", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  static const char junk[] = { 0x01, 0x02, 0x00, 0x7f, (char) 0xff };

  g_assert_true (g_file_set_contents (path, junk, sizeof junk, NULL));
  reader = evs_reader_open (path, &error);
  g_assert_null (reader);
  g_assert_error (error, EVS_ERROR, EVS_ERROR_UNKNOWN_FORMAT);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  reader = evs_reader_open (empty, &error);
  g_assert_null (reader);
  g_assert_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED);
  g_clear_error (&error);

  reader = evs_reader_open ("/nonexistent/evscope/file.raw", &error);
  g_assert_null (reader);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/events/chunk", test_chunk_basics);
  g_test_add_func ("/evs/format/names", test_format_names);
  g_test_add_func ("/evs/reader/unknown-content", test_unknown_content);

  return g_test_run ();
}
