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
#include "evs-hdf5-util.h"

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


/* The file's own index (ms_to_idx, CD/indexes) positions a seek close
 * before the target, never after it. */
static void
check_locate (const char *path,
              gint64      bucket)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = evs_test_read_all (path, 4096, &error);
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  EvsReaderClass *klass = EVS_READER_GET_CLASS (reader);
  gint64 t0 = all->t[0], t1 = all->t[all->n_events - 1];

  g_assert_no_error (error);
  g_assert_nonnull (klass->locate);
  for (guint k = 0; k <= 50; k++)
    {
      gint64 target = t0 - 10 + (t1 - t0 + 20) * k / 50;
      gsize first = evs_event_chunk_lower_bound (all, target);
      EvsReaderPosition position;

      g_assert_true (klass->locate (reader, target, &position));
      g_assert_cmpuint (position.state[0], <=, first);
      g_assert_cmpuint (position.ordinal, ==, position.state[0]);
      /* An empty bucket repeats the entry before it: the located event is
       * at most a bucket before the last event preceding the target. */
      if (first > 0)
        g_assert_cmpint (all->t[position.state[0]], >=, MIN (target, all->t[first - 1]) - bucket);
    }

  /* With Evscope's sparse index attached, a seek still lands on the
   * table's point whenever that is past the indexed one. */
  {
    g_autoptr(EvsIndex) index = evs_index_build (reader, NULL, NULL, NULL, &error);
    guint closer = 0;

    g_assert_no_error (error);
    evs_reader_set_index (reader, index);
    for (guint k = 0; k <= 50; k++)
      {
        gint64 target = t0 + (t1 - t0) * k / 50;
        EvsReaderPosition located, indexed;

        g_assert_true (klass->locate (reader, target, &located));
        evs_index_lookup (index, target, &indexed);
        g_assert_true (evs_reader_seek (reader, target, &error));
        g_assert_cmpuint (evs_reader_get_ordinal (reader), ==, MAX (located.ordinal, indexed.ordinal));
        closer += located.ordinal > indexed.ordinal;
      }
    g_assert_cmpuint (closer, >, 10);
  }
}

static void
test_fixture_seek (gconstpointer data)
{
  g_autofree char *path = evs_test_fixture (data);

  if (path == NULL)
    return;
  evs_test_check_seek (path, 30);
  check_locate (path, g_str_has_suffix (path, ".hdf5") ? 2000 : 1000);
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
  memcpy (width, data + 8, 4);
  memcpy (height, data + 12, 4);
  *width = GUINT32_FROM_LE (*width);
  *height = GUINT32_FROM_LE (*height);
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
  check_locate (path, format == EVS_FORMAT_DSEC_HDF5 ? 1000 : 2000);

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

/* ---- ECF codec ---- */

/* Byte builders mirroring the macros of hdf5_ecf's ecf_codec_test.cpp */
typedef struct
{
  guint16 x, y;
  guint8  p;
  gint64  t;
} Ev;

static void
put16 (GByteArray *b,
       guint       v)
{
  guint8 bytes[2] = { v & 0xFF, (v >> 8) & 0xFF };

  g_byte_array_append (b, bytes, 2);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put16 (b, v & 0xFFFF);
  put16 (b, v >> 16);
}

static void
put8 (GByteArray *b,
      guint       v)
{
  guint8 byte = v & 0xFF;

  g_byte_array_append (b, &byte, 1);
}

#define HEADER(b, n, pyxp, pxp) put32 (b, (guint32) (n) << 2 | ((pyxp) ? 2 : 0) | ((pxp) ? 1 : 0))
#define ABSOLUTE_T(b, t) (put32 (b, (guint64) (t) & 0xFFFFFFFF), put32 (b, (guint64) (t) >> 32))
#define RLE_T(b, t, c) put8 (b, ((t) << 4) | (c))
#define DIFF_T(b, dt) put8 (b, 0xF0 | ((dt) & 0xF))
#define RLE_Y(b, y, c) put16 (b, ((y) << 5) | (c))
#define RLE_P(b, p, c) put8 (b, ((p) << 7) | (c))
#define MASK_X(b, x, m) put16 (b, ((x) << 5) | (m))

static guint32
pack_yxp (const Ev *e)
{
  return e == NULL ? 0 : (guint32) e->y << 12 | (guint32) e->x << 1 | e->p;
}

static void
pack_ys_xs_ps (GByteArray *b,
               const Ev   *e,
               gsize       n)
{
  guint32 v[4];

  for (guint k = 0; k < 4; k++)
    v[k] = pack_yxp (k < n ? &e[k] : NULL);
  put32 (b, v[0] << 8 | (v[1] & 0xFF));
  put32 (b, (v[1] >> 8) << 16 | (v[2] & 0xFFFF));
  put32 (b, (v[2] >> 16) << 24 | (v[3] & 0xFFFFFF));
}

static void
pack_xs_ps (GByteArray *b,
            const Ev   *e,
            gsize       n)
{
  guint v[4];

  for (guint k = 0; k < 4; k++)
    v[k] = k < n ? (guint) e[k].x << 1 | e[k].p : 0;
  put16 (b, v[0] << 4 | (v[1] & 0xF));
  put16 (b, (v[1] >> 4) << 8 | (v[2] & 0xFF));
  put16 (b, (v[2] >> 8) << 12 | (v[3] & 0xFFF));
}

/* Encodes @events (auto mode) and compares with @expected, then decodes
 * @expected and compares with @events. */
static void
check_vector (const Ev   *events,
              gsize       n,
              GByteArray *expected)
{
  g_autofree gint64 *t = g_new0 (gint64, MAX (n, 1));
  g_autofree guint16 *x = g_new0 (guint16, MAX (n, 1));
  g_autofree guint16 *y = g_new0 (guint16, MAX (n, 1));
  g_autofree guint8 *p = g_new0 (guint8, MAX (n, 1));
  gsize size = evs_ecf_encode_bound (n), len = 0, got = 0;
  g_autofree guint8 *out = g_malloc (size);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    {
      t[i] = events[i].t;
      x[i] = events[i].x;
      y[i] = events[i].y;
      p[i] = events[i].p;
    }
  g_assert_true (evs_ecf_encode (t, x, y, p, n, EVS_ECF_MODE_AUTO, out, size, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (out, len, expected->data, expected->len);

  memset (t, 0, n * sizeof *t);
  memset (x, 0, n * sizeof *x);
  memset (y, 0, n * sizeof *y);
  memset (p, 0, n);
  g_assert_true (evs_ecf_decode (expected->data, expected->len, t, x, y, p, n, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      g_assert_cmpint (t[i], ==, events[i].t);
      g_assert_cmpuint (x[i], ==, events[i].x);
      g_assert_cmpuint (y[i], ==, events[i].y);
      g_assert_cmpuint (p[i], ==, events[i].p);
    }
}

static void
test_ecf_vectors (void)
{
  /* encode/decode_one_empty_event, encode/decode_one_event */
  {
    Ev e[1] = { { 0, 0, 0, 0 } };
    g_autoptr(GByteArray) b = g_byte_array_new ();

    HEADER (b, 1, TRUE, FALSE);
    ABSOLUTE_T (b, 0);
    RLE_T (b, 0, 1);
    pack_ys_xs_ps (b, e, 1);
    check_vector (e, 1, b);
  }
  {
    Ev e[1] = { { 1, 2, 0, 4 } };
    g_autoptr(GByteArray) b = g_byte_array_new ();

    HEADER (b, 1, TRUE, FALSE);
    ABSOLUTE_T (b, 4);
    RLE_T (b, 0, 1);
    pack_ys_xs_ps (b, e, 1);
    check_vector (e, 1, b);
  }

  for (guint j = 2; j <= 4; j++)
    {
      Ev empty[4] = { { 0 } }, same_t[4], diff_t[4], big[4], xyp[4];
      g_autoptr(GByteArray) b1 = g_byte_array_new ();
      g_autoptr(GByteArray) b2 = g_byte_array_new ();
      g_autoptr(GByteArray) b3 = g_byte_array_new ();
      g_autoptr(GByteArray) b4 = g_byte_array_new ();
      g_autoptr(GByteArray) b5 = g_byte_array_new ();
      const gint64 dt = 5217;

      for (guint i = 0; i < j; i++)
        {
          same_t[i] = (Ev) { i * 10, 23, 1, 10000 };
          diff_t[i] = (Ev) { i * 10, 23, 1, i };
          big[i] = (Ev) { i * 10, 23, 1, (gint64) (i + 1) * (i + 2 * dt) / 2 };
          xyp[i] = (Ev) { 29 + i, i, 0, i };
        }

      /* encode_up_to_4_empty_events */
      HEADER (b1, j, FALSE, TRUE);
      ABSOLUTE_T (b1, 0);
      RLE_T (b1, 0, j);
      RLE_Y (b1, 0, j);
      pack_xs_ps (b1, empty, j);
      check_vector (empty, j, b1);

      /* encode_up_to_4_events_same_t_rle_same_y_rle_xp_packed */
      HEADER (b2, j, FALSE, TRUE);
      ABSOLUTE_T (b2, 10000);
      RLE_T (b2, 0, j);
      RLE_Y (b2, 23, j);
      pack_xs_ps (b2, same_t, j);
      check_vector (same_t, j, b2);

      /* encode_up_to_4_events_diff_t_rle_same_y_rle_xp_packed */
      HEADER (b3, j, FALSE, TRUE);
      ABSOLUTE_T (b3, 0);
      RLE_T (b3, 0, 1);
      for (guint i = 1; i < j; i++)
        RLE_T (b3, (guint) (diff_t[i].t - diff_t[i - 1].t), 1);
      RLE_Y (b3, 23, j);
      pack_xs_ps (b3, diff_t, j);
      check_vector (diff_t, j, b3);

      /* encode_up_to_4_events_big_diff_t_rle_same_y_rle_xp_packed */
      HEADER (b4, j, FALSE, TRUE);
      ABSOLUTE_T (b4, big[0].t);
      RLE_T (b4, 0, 1);
      for (guint i = 1; i < j; i++)
        {
          DIFF_T (b4, dt + i);
          DIFF_T (b4, (dt + i) >> 4);
          DIFF_T (b4, (dt + i) >> 8);
          DIFF_T (b4, (dt + i) >> 12);
          RLE_T (b4, 0, 1);
        }
      RLE_Y (b4, 23, j);
      pack_xs_ps (b4, big, j);
      check_vector (big, j, b4);

      /* encode_up_to_4_events_diff_t_rle_xyp_packed */
      HEADER (b5, j, TRUE, FALSE);
      ABSOLUTE_T (b5, 0);
      RLE_T (b5, 0, 1);
      for (guint i = 1; i < j; i++)
        RLE_T (b5, 1, 1);
      pack_ys_xs_ps (b5, xyp, j);
      check_vector (xyp, j, b5);
    }

  /* encode_up_to_6_events_same_t_rle_same_y_rle_x_masked */
  for (guint j = 2; j <= 6; j++)
    {
      Ev e[6];
      g_autoptr(GByteArray) b = g_byte_array_new ();

      for (guint i = 0; i < j; i++)
        e[i] = (Ev) { 19 + i, 23, 0, 13875 };
      HEADER (b, j, FALSE, FALSE);
      ABSOLUTE_T (b, 13875);
      RLE_T (b, 0, j);
      RLE_Y (b, 23, j);
      MASK_X (b, 19, (1 << 5) - (1 << (6 - j)));
      RLE_P (b, 0, j);
      check_vector (e, j, b);
    }

  /* The long-run vectors: more than 15 equal times (PYXP), more than 31
   * equal ys (PXP), more than 127 equal ps (masked xs).  The reference
   * draws coordinates with std::mt19937; any coordinates give the same
   * layout, so GRand is used here. */
  {
    static const guint counts[] = { 16, 25, 254, 255, 256, 312, 1891, 18923, 65535 };
    g_autoptr(GRand) rand = g_rand_new_with_seed (42);
    g_autofree Ev *e = g_new (Ev, 65535);

    for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
      {
        guint n = counts[c];
        g_autoptr(GByteArray) b1 = g_byte_array_new ();
        g_autoptr(GByteArray) b2 = g_byte_array_new ();
        g_autoptr(GByteArray) b3 = g_byte_array_new ();

        /* encode_more_than_15_events_same_t_rle_xyp_packed */
        for (guint i = 0; i < n; i++)
          e[i] = (Ev) { g_rand_int_range (rand, 0, 1280), g_rand_int_range (rand, 0, 720), 1, 10000 };
        /* Consecutive equal ys would make the encoder choose another mode. */
        for (guint i = 1; i < n; i++)
          if (e[i].y == e[i - 1].y)
            e[i].y = (e[i].y + 1) % 720;
        HEADER (b1, n, TRUE, FALSE);
        ABSOLUTE_T (b1, 10000);
        RLE_T (b1, 0, 15);
        put16 (b1, n);
        for (guint i = 0; i < n; i += 4)
          pack_ys_xs_ps (b1, e + i, MIN (4, n - i));
        check_vector (e, n, b1);

        if (n >= 32)
          {
            /* encode_more_than_31_events_same_t_rle_same_y_rle_xp_packed */
            for (guint i = 0; i < n; i++)
              e[i] = (Ev) { g_rand_int_range (rand, 0, 1280), 873, 1, 10000 };
            for (guint i = 1; i < n; i++)
              if (e[i].x > e[i - 1].x && e[i].x <= e[i - 1].x + 5)
                e[i].x = (e[i - 1].x + 100) % 1280;
            HEADER (b2, n, FALSE, TRUE);
            ABSOLUTE_T (b2, 10000);
            RLE_T (b2, 0, 15);
            put16 (b2, n);
            RLE_Y (b2, 873, 31);
            put16 (b2, n);
            for (guint i = 0; i < n; i += 4)
              pack_xs_ps (b2, e + i, MIN (4, n - i));
            check_vector (e, n, b2);
          }

        if (n >= 128)
          {
            /* encode_more_than_127_events_same_t_rle_same_y_rle_x_masked */
            for (guint i = 0; i < n; i++)
              e[i] = (Ev) { i % 1278, 873, 1, 10000 };
            HEADER (b3, n, FALSE, FALSE);
            ABSOLUTE_T (b3, 10000);
            RLE_T (b3, 0, 15);
            put16 (b3, n);
            RLE_Y (b3, 873, 31);
            put16 (b3, n);
            for (guint i = 0; i + 6 <= n; i += 6)
              MASK_X (b3, e[i].x, 31);
            if (n % 6 != 0)
              MASK_X (b3, e[6 * (n / 6)].x, (1 << 5) - (1 << (6 - n % 6)));
            RLE_P (b3, 1, 127);
            put16 (b3, n);
            check_vector (e, n, b3);
          }
      }
  }
}

static void
random_block (GRand   *rand,
              gsize    n,
              guint    style,
              gint64  *t,
              guint16 *x,
              guint16 *y,
              guint8  *p)
{
  gint64 now = g_rand_int_range (rand, 0, G_MAXINT32) * (gint64) g_rand_int_range (rand, 1, 1000);

  for (gsize i = 0; i < n; i++)
    {
      guint r = g_rand_int_range (rand, 0, 100);

      if (r < 2)
        now += (gint64) g_rand_int (rand) * g_rand_int_range (rand, 1, 1 << 20);
      else if (r < 40)
        now += g_rand_int_range (rand, 0, 40);
      t[i] = now;
      switch (style)
        {
        case 0: /* scattered */
          x[i] = g_rand_int_range (rand, 0, 2048);
          y[i] = g_rand_int_range (rand, 0, 2048);
          p[i] = g_rand_int_range (rand, 0, 2);
          break;
        case 1: /* rows with runs of neighbouring xs, as EVT 2.1/3 produce */
          y[i] = i > 0 && r < 85 ? y[i - 1] : g_rand_int_range (rand, 0, 2048);
          x[i] = i > 0 && r < 70 && x[i - 1] < 2040 ? x[i - 1] + g_rand_int_range (rand, 1, 6)
                                                   : g_rand_int_range (rand, 0, 2048);
          p[i] = i > 0 && r < 90 ? p[i - 1] : g_rand_int_range (rand, 0, 2);
          break;
        default: /* long runs of everything */
          y[i] = i > 0 && r < 99 ? y[i - 1] : g_rand_int_range (rand, 0, 2048);
          x[i] = g_rand_int_range (rand, 0, 2048);
          p[i] = i > 0 && r < 99 ? p[i - 1] : g_rand_int_range (rand, 0, 2);
          break;
        }
    }
}

static void
test_ecf_round_trip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2026);
  const gsize max = EVS_ECF_MAX_EVENTS;
  g_autofree gint64 *t = g_new (gint64, max);
  g_autofree guint16 *x = g_new (guint16, max);
  g_autofree guint16 *y = g_new (guint16, max);
  g_autofree guint8 *p = g_new (guint8, max);
  g_autofree gint64 *t2 = g_new (gint64, max);
  g_autofree guint16 *x2 = g_new (guint16, max);
  g_autofree guint16 *y2 = g_new (guint16, max);
  g_autofree guint8 *p2 = g_new (guint8, max);
  g_autofree guint8 *out = g_malloc (evs_ecf_encode_bound (max));
  guint mode_seen[4] = { 0 };

  for (guint round = 0; round < 120; round++)
    {
      gsize n = round < 10 ? round : (gsize) g_rand_int_range (rand, 1, round % 7 == 0 ? max + 1 : 3000);
      guint style = round % 3;

      random_block (rand, n, style, t, x, y, p);
      for (EvsEcfMode mode = EVS_ECF_MODE_AUTO; mode <= EVS_ECF_MODE_MASKED_X; mode++)
        {
          g_autoptr(GError) error = NULL;
          gsize len = 0, got = 0;
          guint32 header;

          g_assert_true (evs_ecf_encode (t, x, y, p, n, mode, out, evs_ecf_encode_bound (n), &len,
                                         &error));
          g_assert_no_error (error);
          g_assert_cmpuint (len, <=, evs_ecf_encode_bound (n));
          memcpy (&header, out, 4);
          header = GUINT32_FROM_LE (header);
          if (mode == EVS_ECF_MODE_AUTO)
            mode_seen[header & 2 ? 1 : header & 1 ? 2 : 3]++;
          else
            g_assert_cmpuint (header & 3, ==, mode == EVS_ECF_MODE_PACKED_YXP ? 2
                                               : mode == EVS_ECF_MODE_PACKED_XP ? 1 : 0);
          g_assert_true (evs_ecf_decode (out, len, t2, x2, y2, p2, n, &got, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (got, ==, n);
          g_assert_cmpmem (t, n * sizeof *t, t2, n * sizeof *t2);
          g_assert_cmpmem (x, n * sizeof *x, x2, n * sizeof *x2);
          g_assert_cmpmem (y, n * sizeof *y, y2, n * sizeof *y2);
          g_assert_cmpmem (p, n, p2, n);
        }
    }
  /* Automatic choice used every mode on these data */
  g_assert_cmpuint (mode_seen[1], >, 0);
  g_assert_cmpuint (mode_seen[2], >, 0);
  g_assert_cmpuint (mode_seen[3], >, 0);
}

/* Times going backwards are stored as the time before (lossy, as in
 * Prophesee's encoder); coordinates ≥ 2048 are refused. */
static void
test_ecf_encoder_limits (void)
{
  gint64 t[4] = { 100, 90, 120, 110 };
  guint16 x[4] = { 1, 2, 3, 4 }, y[4] = { 5, 6, 7, 8 };
  guint8 p[4] = { 0, 1, 0, 1 };
  gint64 t2[4];
  guint16 x2[4], y2[4];
  guint8 p2[4];
  guint8 out[256];
  gsize len = 0, got = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (evs_ecf_encode (t, x, y, p, 4, EVS_ECF_MODE_AUTO, out, sizeof out, &len, &error));
  g_assert_true (evs_ecf_decode (out, len, t2, x2, y2, p2, 4, &got, &error));
  g_assert_no_error (error);
  g_assert_cmpint (t2[0], ==, 100);
  g_assert_cmpint (t2[1], ==, 100);
  g_assert_cmpint (t2[2], ==, 120);
  g_assert_cmpint (t2[3], ==, 120);

  x[2] = 2048;
  g_assert_false (evs_ecf_encode (t, x, y, p, 4, EVS_ECF_MODE_AUTO, out, sizeof out, &len, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
}

static void
test_ecf_corrupt (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);
  const gsize n = 3000;
  g_autofree gint64 *t = g_new (gint64, n);
  g_autofree guint16 *x = g_new (guint16, n);
  g_autofree guint16 *y = g_new (guint16, n);
  g_autofree guint8 *p = g_new (guint8, n);
  g_autofree guint8 *out = g_malloc (evs_ecf_encode_bound (n));
  g_autofree guint8 *copy = NULL;
  guint n_errors = 0;

  /* decode_too_many_events: a header claiming 100000 events */
  {
    g_autoptr(GByteArray) b = g_byte_array_new ();
    Ev e = { 0 };
    gsize got;
    g_autoptr(GError) error = NULL;

    HEADER (b, 100000, FALSE, FALSE);
    ABSOLUTE_T (b, 0);
    RLE_T (b, 0, 1);
    pack_ys_xs_ps (b, &e, 1);
    g_assert_false (evs_ecf_decode (b->data, b->len, t, x, y, p, n, &got, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
  }

  for (EvsEcfMode mode = EVS_ECF_MODE_PACKED_YXP; mode <= EVS_ECF_MODE_MASKED_X; mode++)
    {
      gsize len = 0;

      random_block (rand, n, 1, t, x, y, p);
      g_assert_true (evs_ecf_encode (t, x, y, p, n, mode, out, evs_ecf_encode_bound (n), &len, NULL));

      /* Every truncation fails cleanly */
      for (gsize cut = 0; cut < len; cut += 1 + cut / 8)
        {
          g_autoptr(GError) error = NULL;
          gsize got;

          copy = g_memdup2 (out, cut);
          g_assert_false (evs_ecf_decode (copy, cut, t, x, y, p, n, &got, &error));
          g_assert_nonnull (error);
          g_assert_nonnull (strstr (error->message, "ECF"));
          g_clear_pointer (&copy, g_free);
        }

      /* Random byte changes: an error or some decoding, never a crash or
       * a write past max_events (checked by ASan in the fuzz build). */
      for (guint k = 0; k < 300; k++)
        {
          g_autoptr(GError) error = NULL;
          gsize got = 0;

          copy = g_memdup2 (out, len);
          for (guint f = 0; f < 1 + k % 4; f++)
            copy[g_rand_int_range (rand, 0, (gint32) len)] ^= 1 << g_rand_int_range (rand, 0, 8);
          if (!evs_ecf_decode (copy, len, t, x, y, p, n, &got, &error))
            {
              g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
              n_errors++;
            }
          else
            g_assert_cmpuint (got, <=, n);
          g_clear_pointer (&copy, g_free);
        }
    }
  g_assert_cmpuint (n_errors, >, 0);
}

/* The in-process Zstandard filter (32015): written and read back. */
static void
test_zstd_filter (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "zstd.h5", NULL);
  g_autoptr(EvsEventChunk) events = make_sorted_events (5, 30000, 640, 480);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *raw = NULL;
  const unsigned int level = 3;
  hsize_t dims = events->n_events, chunk = 8192, zero = 0, raw_size = 0;
  hid_t file, dcpl, space, group;
  guint32 mask = 0;
  gint64 t_offset = 0;
  struct { const char *name; hid_t type; const void *data; } cols[] = {
    { "x", H5T_NATIVE_UINT16, events->x }, { "y", H5T_NATIVE_UINT16, events->y },
    { "t", H5T_NATIVE_INT64, events->t }, { "p", H5T_NATIVE_UINT8, events->p },
  };

  evs_hdf5_lock ();
  evs_hdf5_init ();
  g_assert_cmpint (H5Zfilter_avail (EVS_HDF5_FILTER_ZSTD), >, 0);
  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  g_assert_cmpint (file, >=, 0);
  group = H5Gcreate2 (file, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 1, &chunk);
  g_assert_cmpint (H5Pset_filter (dcpl, EVS_HDF5_FILTER_ZSTD, H5Z_FLAG_OPTIONAL, 1, &level), >=, 0);
  space = H5Screate_simple (1, &dims, NULL);
  for (guint c = 0; c < G_N_ELEMENTS (cols); c++)
    {
      hid_t ds = H5Dcreate2 (group, cols[c].name, cols[c].type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);

      g_assert_cmpint (H5Dwrite (ds, cols[c].type, H5S_ALL, H5S_ALL, H5P_DEFAULT, cols[c].data), >=, 0);
      if (c == 0)
        {
          /* The chunk really is a zstd frame */
          g_assert_cmpint (H5Dget_chunk_storage_size (ds, &zero, &raw_size), >=, 0);
          raw = g_malloc (raw_size);
          g_assert_cmpint (H5Dread_chunk (ds, H5P_DEFAULT, &zero, &mask, raw), >=, 0);
          g_assert_cmpuint (mask, ==, 0);
          g_assert_cmphex (raw[0] | raw[1] << 8 | raw[2] << 16 | (guint32) raw[3] << 24, ==, 0xFD2FB528);
          g_assert_cmpuint (raw_size, <, chunk * 2);
        }
      H5Dclose (ds);
    }
  H5Sclose (space);
  H5Pclose (dcpl);
  H5Gclose (group);
  space = H5Screate_simple (1, &zero, NULL);
  H5Dclose (H5Dcreate2 (file, "ms_to_idx", H5T_STD_U64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Sclose (space);
  H5Fclose (file);
  evs_hdf5_unlock ();

  back = evs_test_read_all (path, 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, events->n_events);
  (void) t_offset;
  evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
  evs_test_remove_tree (dir);
}

/* An export without events is still a valid, readable file. */
static void
test_export_empty (gconstpointer data)
{
  EvsFormat format = GPOINTER_TO_INT (data);
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "empty.h5", NULL);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(GError) error = NULL;

  writer = evs_writer_new (format, path, &error);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  all = evs_test_read_all (path, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, ==, 0);
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
  /* Keep filter plugins loaded at exit, so that leak reports can name them. */
  H5dont_atexit ();

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
  g_test_add_func ("/evs/hdf5/ecf/vectors", test_ecf_vectors);
  g_test_add_func ("/evs/hdf5/ecf/round-trip", test_ecf_round_trip);
  g_test_add_func ("/evs/hdf5/ecf/encoder-limits", test_ecf_encoder_limits);
  g_test_add_func ("/evs/hdf5/ecf/corrupt", test_ecf_corrupt);
  g_test_add_func ("/evs/hdf5/zstd-filter", test_zstd_filter);
  g_test_add_func ("/evs/hdf5/h5py/errors", test_h5py_errors);
  g_test_add_func ("/evs/hdf5/missing-blosc", test_missing_blosc);
  g_test_add_func ("/evs/hdf5/export/dsec", test_export_dsec);
  g_test_add_func ("/evs/hdf5/export/prophesee", test_export_prophesee);
  g_test_add_data_func ("/evs/hdf5/export/empty-dsec", GINT_TO_POINTER (EVS_FORMAT_DSEC_HDF5),
                        test_export_empty);
  g_test_add_data_func ("/evs/hdf5/export/empty-prophesee",
                        GINT_TO_POINTER (EVS_FORMAT_PROPHESEE_HDF5), test_export_empty);
  g_test_add_func ("/evs/hdf5/export/prophesee-bad", test_export_prophesee_bad);

  return g_test_run ();
}
