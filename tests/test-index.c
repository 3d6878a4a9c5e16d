/* test-index.c
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

static char *
write_dat (const char *dir,
           const char *name,
           guint       n,
           guint       seed)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (n);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 t = 1000;

  info->width = 320;
  info->height = 240;
  for (guint i = 0; i < n; i++)
    {
      t += g_rand_int_range (rand, 0, 4);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, 320),
                            g_rand_int_range (rand, 0, 240), g_rand_int_range (rand, 0, 2));
    }
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_true (evs_writer_write (writer, events, &error));
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Several hundred thousand events: the index has many entries and seeks
 * resume in the middle. */
static void
test_index_seek (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_dat (dir, "big.dat", 300000, 3);

  evs_test_check_seek (path, 30);
  evs_test_remove_tree (dir);
}

static void
test_index_totals_and_cache (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_dat (dir, "rec.dat", 200000, 4);
  g_autofree char *cache = g_build_filename (dir, "rec.idx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(EvsIndex) index = NULL;
  g_autoptr(EvsIndex) loaded = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const EvsIndexEntry *entries;
  guint n_entries = 0;
  guint64 sum = 0, sum_on = 0;
  EvsTestSummary s;

  g_assert_no_error (error);
  all = evs_test_read_all (path, 4096, &error);
  evs_test_summarize (all, &s);

  index = evs_index_build (reader, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (evs_index_get_n_events (index), ==, 200000);
  g_assert_cmpuint (evs_index_get_n_on (index), ==, s.n_on);
  g_assert_cmpint (evs_index_get_t_first (index), ==, all->t[0]);
  g_assert_cmpint (evs_index_get_t_last (index), ==, s.t_max);

  entries = evs_index_get_entries (index, &n_entries);
  g_assert_cmpuint (n_entries, >, 1);
  for (guint i = 0; i < n_entries; i++)
    {
      g_assert_cmpuint (entries[i].position.ordinal, ==, sum);
      sum += entries[i].n_events;
      sum_on += entries[i].n_on;
    }
  g_assert_cmpuint (sum, ==, 200000);
  g_assert_cmpuint (sum_on, ==, s.n_on);

  g_assert_true (evs_index_save (index, cache, &error));
  g_assert_no_error (error);
  loaded = evs_index_load (cache, reader, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (evs_index_get_n_events (loaded), ==, 200000);

  /* A changed file makes the cache stale */
  {
    g_autofree char *path2 = write_dat (dir, "rec.dat", 1000, 5);
    g_autoptr(EvsReader) reader2 = evs_reader_open (path2, &error);
    g_autoptr(EvsIndex) stale = evs_index_load (cache, reader2, &error);

    g_assert_null (stale);
    g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
    g_clear_error (&error);
  }

  evs_test_remove_tree (dir);
}

static void
test_index_ensure_uses_cache (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_dat (dir, "ensure.dat", 5000, 6);
  g_autofree char *cache_path = evs_index_get_cache_path (path);
  g_autoptr(GError) error = NULL;

  g_unlink (cache_path);
  {
    g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
    g_autoptr(EvsIndex) index = evs_index_ensure (reader, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (evs_index_get_n_events (index), ==, 5000);
    g_assert_true (evs_reader_get_index (reader) == index);
  }
  g_assert_true (g_file_test (cache_path, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
    g_autoptr(EvsIndex) index = evs_index_ensure (reader, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (evs_index_get_n_events (index), ==, 5000);
  }

  g_unlink (cache_path);
  evs_test_remove_tree (dir);
}

static void
test_index_cancel (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_dat (dir, "cancel.dat", 1000, 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(EvsIndex) index = NULL;

  g_cancellable_cancel (cancellable);
  index = evs_index_build (reader, cancellable, NULL, NULL, &error);
  g_assert_null (index);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/evs/index/seek", test_index_seek);
  g_test_add_func ("/evs/index/totals-and-cache", test_index_totals_and_cache);
  g_test_add_func ("/evs/index/ensure-uses-cache", test_index_ensure_uses_cache);
  g_test_add_func ("/evs/index/cancel", test_index_cancel);

  return g_test_run ();
}
