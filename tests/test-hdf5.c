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
#include "evs-ecf.h"

#include <glib/gstdio.h>
#include <string.h>

/* Values from shared/fixtures/real/openeb-converted/README.md */
static void
test_fixture_evt3 (void)
{
  g_autofree char *path = evs_test_fixture ("openeb-converted/evt3_sample.hdf5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const EvsRecordingInfo *info;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, EVS_FORMAT_PROPHESEE_HDF5);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, 1280);
  g_assert_cmpuint (info->height, ==, 720);
  g_assert_cmpstr (evs_recording_info_lookup (info, "format"), ==, "EVT3;height=720;width=1280");

  all = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 219596);
  g_assert_cmpint (s.t_min, ==, 4096);
  g_assert_cmpint (s.t_max, ==, 12897);
  g_assert_cmpuint (s.n_on, ==, 115532);
  g_assert_cmpuint (s.n_off, ==, 104064);
  g_assert_cmpuint (s.sum_x, ==, 159113225);
  g_assert_cmpuint (s.sum_y, ==, 85638051);
  g_assert_cmpuint (s.sum_t, ==, 1854382707);
  evs_test_assert_event (all, 0, 4096, 874, 200, 0);
  evs_test_assert_event (all, 1, 4096, 806, 200, 1);
  evs_test_assert_event (all, 2, 4096, 882, 201, 0);
  evs_test_assert_event (all, all->n_events - 1, 12897, 1218, 572, 1);
  g_assert_cmpfloat (evs_reader_get_fraction (reader), ==, 1.0);
}

static void
test_fixture_evt2 (void)
{
  g_autofree char *path = evs_test_fixture ("openeb-converted/evt2_sparklers.hdf5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_PROPHESEE_HDF5);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 640);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 480);

  all = evs_test_read_reader (reader, 65536, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 521252);
  g_assert_cmpint (s.t_min, ==, 0);
  g_assert_cmpint (s.t_max, ==, 95871);
  g_assert_cmpuint (s.n_on, ==, 185861);
  g_assert_cmpuint (s.n_off, ==, 335391);
  g_assert_cmpuint (s.sum_x, ==, 128979953);
  g_assert_cmpuint (s.sum_y, ==, 216346680);
  g_assert_cmpuint (s.sum_t, ==, 21685464521);
  evs_test_assert_event (all, 0, 0, 35, 443, 1);
  evs_test_assert_event (all, 1, 0, 36, 443, 1);
  evs_test_assert_event (all, 2, 0, 74, 443, 1);
  evs_test_assert_event (all, all->n_events - 1, 95871, 12, 471, 0);
}

/* shared/fixtures/real/dsec-layout/README.md */
static void
test_fixture_dsec (void)
{
  g_autofree char *path = evs_test_fixture ("dsec-layout/sparklers_dsec_events.h5");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const gint64 t_offset = 913716224;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_DSEC_HDF5);
  g_assert_false (evs_reader_get_info (reader)->geometry_known);

  all = evs_test_read_reader (reader, 4000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);
  g_assert_cmpuint (s.n_events, ==, 521252);
  g_assert_cmpint (s.t_min, ==, 913716224);
  g_assert_cmpint (s.t_max, ==, 913812095);
  g_assert_cmpuint (s.n_on, ==, 185861);
  g_assert_cmpuint (s.n_off, ==, 335391);
  g_assert_cmpuint (s.sum_x, ==, 128979953);
  g_assert_cmpuint (s.sum_y, ==, 216346680);
  g_assert_cmpuint (s.sum_t - s.n_events * (guint64) t_offset, ==, 21685464521);
  evs_test_assert_event (all, 0, t_offset + 0, 35, 443, 1);
  evs_test_assert_event (all, all->n_events - 1, t_offset + 95871, 12, 471, 0);
}

static void
test_fixture_seek (gconstpointer data)
{
  g_autofree char *path = evs_test_fixture (data);

  if (path == NULL)
    return;
  evs_test_check_seek (path, 30);
}

static void
test_fixture_damaged (gconstpointer data)
{
  g_autofree char *path = evs_test_fixture (data);

  if (path == NULL)
    return;
  evs_test_check_damaged (path, 25, 40);
}


/* ---- h5py-written files ---- */

static char *
find_python (void)
{
  static const char *candidates[] = { "python3", "/usr/bin/python3" };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      g_autofree char *program = g_find_program_in_path (candidates[i]);
      const char *argv[] = { NULL, "-c", "import h5py, numpy", NULL };
      int status = -1;

      if (program == NULL)
        continue;
      argv[0] = program;
      if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL
                        | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL)
          && g_spawn_check_wait_status (status, NULL))
        return g_steal_pointer (&program);
    }
  return NULL;
}

/* Runs tests/hdf5-helper.py; FALSE (with a skip) when h5py is missing. */
static gboolean
run_helper (const char * const *args)
{
  static char *python = NULL;
  static gboolean searched = FALSE;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "hdf5-helper.py", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!searched)
    {
      python = find_python ();
      searched = TRUE;
    }
  if (python == NULL)
    {
      g_test_skip ("python3-h5py is not installed");
      return FALSE;
    }

  g_ptr_array_add (argv, python);
  g_ptr_array_add (argv, script);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("hdf5-helper.py %s failed: %s", args[0], err);
  return TRUE;
}

static EvsEventChunk *
read_expected (const char *path,
               guint      *width,
               guint      *height)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  guint64 n;
  EvsEventChunk *chunk;
  const char *at;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >=, 16);
  memcpy (&n, data, 8);
  n = GUINT64_FROM_LE (n);
  g_assert_cmpuint (len, ==, 16 + n * 13);
  *width = GUINT32_FROM_LE (*(guint32 *) (data + 8));
  *height = GUINT32_FROM_LE (*(guint32 *) (data + 12));
  chunk = evs_event_chunk_new (MAX (n, 1));
  at = data + 16;
  memcpy (chunk->t, at, n * 8);
  at += n * 8;
  memcpy (chunk->x, at, n * 2);
  at += n * 2;
  memcpy (chunk->y, at, n * 2);
  at += n * 2;
  memcpy (chunk->p, at, n);
  chunk->n_events = n;
  return chunk;
}

static void
write_expected (const char          *path,
                const EvsEventChunk *events,
                guint                width,
                guint                height)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  guint64 n = GUINT64_TO_LE ((guint64) events->n_events);
  guint32 w = GUINT32_TO_LE (width), h = GUINT32_TO_LE (height);

  g_byte_array_append (bytes, (guint8 *) &n, 8);
  g_byte_array_append (bytes, (guint8 *) &w, 4);
  g_byte_array_append (bytes, (guint8 *) &h, 4);
  g_byte_array_append (bytes, (guint8 *) events->t, events->n_events * 8);
  g_byte_array_append (bytes, (guint8 *) events->x, events->n_events * 2);
  g_byte_array_append (bytes, (guint8 *) events->y, events->n_events * 2);
  g_byte_array_append (bytes, events->p, events->n_events);
  g_assert_true (g_file_set_contents (path, (char *) bytes->data, bytes->len, NULL));
}

typedef struct
{
  const char *variant;
  EvsFormat   format;
} Variant;

static const Variant variants[] = {
  { "dsec-blosc", EVS_FORMAT_DSEC_HDF5 },
  { "dsec-i32-gzip", EVS_FORMAT_DSEC_HDF5 },
  { "dsec-plain", EVS_FORMAT_DSEC_HDF5 },
  { "rvt-float", EVS_FORMAT_RVT_HDF5 },
  { "rvt-u32-bool", EVS_FORMAT_RVT_HDF5 },
  { "rvt-seconds", EVS_FORMAT_RVT_HDF5 },
  { "eu", EVS_FORMAT_EVENT_UTILS_HDF5 },
  { "eu-legacy", EVS_FORMAT_EVENT_UTILS_HDF5 },
  { "evlib", EVS_FORMAT_EVENT_UTILS_HDF5 },
  { "prophesee-plain", EVS_FORMAT_PROPHESEE_HDF5 },
};

static void
test_h5py_variant (gconstpointer data)
{
  const Variant *v = data;
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "in.h5", NULL);
  g_autofree char *expected_path = g_build_filename (dir, "expected.bin", NULL);
  const char *args[] = { "write", v->variant, path, expected_path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  guint width, height;

  if (!run_helper (args))
    {
      evs_test_remove_tree (dir);
      return;
    }
  expected = read_expected (expected_path, &width, &height);

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, v->format);
  g_assert_cmpint (evs_reader_get_info (reader)->geometry_known, ==, width > 0);
  if (width > 0)
    {
      g_assert_cmpuint (evs_reader_get_width (reader), ==, width);
      g_assert_cmpuint (evs_reader_get_height (reader), ==, height);
    }

  all = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (all, 0, expected, 0, expected->n_events);
  g_assert_cmpfloat (evs_reader_get_fraction (reader), ==, 1.0);

  evs_test_check_seek (path, 8);
  evs_test_remove_tree (dir);
}

static void
test_h5py_errors (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.h5", NULL);
  g_autofree char *expected_path = g_build_filename (dir, "expected.bin", NULL);
  const char *lengths[] = { "write", "bad-lengths", path, expected_path, NULL };
  const char *filter[] = { "write", "bad-filter", path, expected_path, NULL };
  g_autoptr(GError) error = NULL;
  EvsReader *reader;

  if (!run_helper (lengths))
    {
      evs_test_remove_tree (dir);
      return;
    }
  reader = evs_reader_open (path, &error);
  g_assert_null (reader);
  g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "/events/x"));
  g_assert_nonnull (strstr (error->message, "/events/t"));
  g_clear_error (&error);

  run_helper (filter);
  reader = evs_reader_open (path, &error);
  g_assert_null (reader);
  g_assert_error (error, EVS_ERROR, EVS_ERROR_MISSING_FILTER);
  g_assert_nonnull (strstr (error->message, "32008"));
  g_clear_error (&error);

  evs_test_remove_tree (dir);
}

/* Without the Blosc plugin the error names the filter and the package. */
static void
test_missing_blosc (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      EvsReader *reader = evs_reader_open (g_getenv ("EVS_TEST_BLOSC_FILE"), &error);

      g_assert_null (reader);
      g_assert_error (error, EVS_ERROR, EVS_ERROR_MISSING_FILTER);
      g_assert_nonnull (strstr (error->message, "32001"));
      g_assert_nonnull (strstr (error->message, "hdf5-filter-plugin-blosc-serial"));
      return;
    }
  else
    {
      g_autofree char *dir = evs_test_make_tmp_dir ();
      g_autofree char *path = g_build_filename (dir, "blosc.h5", NULL);
      g_autofree char *expected_path = g_build_filename (dir, "expected.bin", NULL);
      const char *args[] = { "write", "dsec-blosc", path, expected_path, NULL };

      if (!run_helper (args))
        {
          evs_test_remove_tree (dir);
          return;
        }
      g_setenv ("EVS_TEST_BLOSC_FILE", path, TRUE);
      g_setenv ("HDF5_PLUGIN_PATH", "/nonexistent", TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_unsetenv ("HDF5_PLUGIN_PATH");
      g_unsetenv ("EVS_TEST_BLOSC_FILE");
      g_test_trap_assert_passed ();
      evs_test_remove_tree (dir);
    }
}

/* ---- Evscope's exports ---- */

static EvsEventChunk *
make_sorted_events (guint   seed,
                    gsize   n,
                    guint   width,
                    guint   height)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  EvsEventChunk *events = evs_event_chunk_new (n);
  gint64 t = 1234567;

  for (gsize i = 0; i < n; i++)
    {
      guint r = g_rand_int_range (rand, 0, 1000);

      /* Mostly small steps and repeats, sometimes gaps of several ms. */
      if (r < 3)
        t += g_rand_int_range (rand, 2000, 9000);
      else if (r < 600)
        t += g_rand_int_range (rand, 0, 4);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, width),
                            g_rand_int_range (rand, 0, height), g_rand_int_range (rand, 0, 2));
    }
  return events;
}

static void
export_and_check (EvsFormat   format,
                  const char *check)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.h5", NULL);
  g_autofree char *expected_path = g_build_filename (dir, "expected.bin", NULL);
  g_autoptr(EvsEventChunk) events = make_sorted_events (format, 40000, 1280, 720);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(GError) error = NULL;
  const char *comments[] = { "evscope_version 0.1.0", "evscope_source in.raw", NULL };
  const char *args[] = { check, path, expected_path, "evscope_version=0.1.0",
                         "evscope_source=in.raw", NULL };
  gsize at = 0, step = 1;

  info->width = 1280;
  info->height = 720;
  evs_recording_info_add_header (info, "serial_number", "00001234");

  writer = evs_writer_new (format, path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, comments, &error));
  g_assert_no_error (error);
  /* Chunks of growing sizes, across ECF and HDF5 chunk boundaries. */
  while (at < events->n_events)
    {
      g_autoptr(EvsEventChunk) part = evs_event_chunk_new (step);
      gsize n = MIN (step, events->n_events - at);

      evs_event_chunk_append_range (part, events, at, n);
      g_assert_true (evs_writer_write (writer, part, &error));
      g_assert_no_error (error);
      at += n;
      step = step * 3 + 7;
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, format);
  g_assert_true (evs_reader_get_info (reader)->geometry_known);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 1280);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 720);
  g_assert_cmpstr (evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_source"), ==,
                   "in.raw");
  back = evs_test_read_reader (reader, 777, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, events->n_events);
  evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
  evs_test_check_seek (path, 10);

  write_expected (expected_path, events, 1280, 720);
  run_helper (args);

  evs_test_remove_tree (dir);
}

static void
test_export_dsec (void)
{
  export_and_check (EVS_FORMAT_DSEC_HDF5, "check-dsec");
}

static void
test_export_prophesee (void)
{
  export_and_check (EVS_FORMAT_PROPHESEE_HDF5, "check-prophesee");
}

/* ECF cannot store x ≥ 2048: a clear error and no output file. */
static void
test_export_prophesee_bad (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.h5", NULL);
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (4);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = NULL;

  {
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_PROPHESEE_HDF5, path, &error);

    g_assert_true (evs_writer_begin (writer, info, NULL, &error));
    evs_event_chunk_push (events, 5, 1, 1, 1);
    evs_event_chunk_push (events, 6, 4000, 1, 1);
    g_assert_false (evs_writer_write (writer, events, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "2048"));
  }
  d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));
  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  static const char *fixtures[] = {
    "openeb-converted/evt3_sample.hdf5",
    "openeb-converted/evt2_sparklers.hdf5",
    "dsec-layout/sparklers_dsec_events.h5",
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/hdf5/fixture/evt3", test_fixture_evt3);
  g_test_add_func ("/evs/hdf5/fixture/evt2", test_fixture_evt2);
  g_test_add_func ("/evs/hdf5/fixture/dsec", test_fixture_dsec);
  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *seek = g_strdup_printf ("/evs/hdf5/seek/%s", fixtures[i]);
      g_autofree char *damaged = g_strdup_printf ("/evs/hdf5/damaged/%s", fixtures[i]);

      g_test_add_data_func (seek, fixtures[i], test_fixture_seek);
      g_test_add_data_func (damaged, fixtures[i], test_fixture_damaged);
    }

  for (guint i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *name = g_strdup_printf ("/evs/hdf5/h5py/%s", variants[i].variant);

      g_test_add_data_func (name, &variants[i], test_h5py_variant);
    }
  g_test_add_func ("/evs/hdf5/h5py/errors", test_h5py_errors);
  g_test_add_func ("/evs/hdf5/missing-blosc", test_missing_blosc);
  g_test_add_func ("/evs/hdf5/export/dsec", test_export_dsec);
  g_test_add_func ("/evs/hdf5/export/prophesee", test_export_prophesee);
  g_test_add_func ("/evs/hdf5/export/prophesee-bad", test_export_prophesee_bad);

  return g_test_run ();
}
