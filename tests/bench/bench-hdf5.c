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

#include "evs-core.h"
#include "evs-ecf.h"
#include "evs-hdf5-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* HDF5 benchmarks (numbers are indicative on a shared machine):
 *  - write, then full-read throughput of ≥ 50 M events as DSEC (Blosc+Zstd),
 *    Prophesee (ECF) and an uncompressed column layout;
 *  - time to read 10 ms windows at 60 random positions (median, p95, max),
 *    seeking with the file's own time table and with Evscope's index;
 *  - ECF decode throughput (target ≥ 300 M ev/s).
 * EVS_BENCH_EVENTS overrides the event count; EVS_BENCH_DIR the folder. */

#define CHUNK (64 * 1024)

static guint64 n_total = 50 * 1000 * 1000;

static void
fill_chunk (EvsEventChunk *chunk,
            GRand         *rand,
            gint64        *t,
            gsize          n)
{
  guint16 x = 0, y = 0;

  evs_event_chunk_clear (chunk);
  for (gsize i = 0; i < n; i++)
    {
      guint r = g_rand_int_range (rand, 0, 100);

      /* ≈ 10 M ev/s (a busy scene) with bursts along rows, as sensors
       * produce */
      if (r < 10)
        *t += 1;
      if (r < 30 || i == 0)
        {
          x = g_rand_int_range (rand, 0, 1280);
          y = g_rand_int_range (rand, 0, 720);
        }
      else
        x = MIN (x + 1 + r % 3, 1279);
      evs_event_chunk_push (chunk, *t, x, y, r & 1);
    }
}

static double
write_file (EvsFormat   format,
            const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = evs_writer_new (format, path, &error);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (CHUNK);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  gint64 t = 1000000, start = g_get_monotonic_time ();

  info->width = 1280;
  info->height = 720;
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  for (guint64 done = 0; done < n_total; done += CHUNK)
    {
      fill_chunk (chunk, rand, &t, MIN (CHUNK, n_total - done));
      g_assert_true (evs_writer_write (writer, chunk, &error));
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  return (g_get_monotonic_time () - start) / 1e6;
}

/* RVT-style columns without any filter, written through HDF5 directly. */
static double
write_uncompressed (const char *path)
{
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (CHUNK);
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  const char *names[] = { "x", "y", "t", "p" };
  hid_t types[] = { H5T_NATIVE_UINT16, H5T_NATIVE_UINT16, H5T_NATIVE_INT64, H5T_NATIVE_UINT8 };
  hid_t ds[4], file, group, space, dcpl;
  hsize_t dims = n_total, chunk_dims = CHUNK;
  gint64 t = 1000000, start = g_get_monotonic_time ();

  evs_hdf5_lock ();
  evs_hdf5_init ();
  file = H5Fcreate (path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  group = H5Gcreate2 (file, "events", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  space = H5Screate_simple (1, &dims, NULL);
  dcpl = H5Pcreate (H5P_DATASET_CREATE);
  H5Pset_chunk (dcpl, 1, &chunk_dims);
  for (guint c = 0; c < 4; c++)
    ds[c] = H5Dcreate2 (group, names[c], types[c], space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  for (guint64 done = 0; done < n_total; done += CHUNK)
    {
      hsize_t at = done, n = MIN (CHUNK, n_total - done);
      hid_t mspace = H5Screate_simple (1, &n, NULL);
      void *data[4];

      fill_chunk (chunk, rand, &t, n);
      data[0] = chunk->x;
      data[1] = chunk->y;
      data[2] = chunk->t;
      data[3] = chunk->p;
      H5Sselect_hyperslab (space, H5S_SELECT_SET, &at, NULL, &n, NULL);
      for (guint c = 0; c < 4; c++)
        g_assert_cmpint (H5Dwrite (ds[c], types[c], mspace, space, H5P_DEFAULT, data[c]), >=, 0);
      H5Sclose (mspace);
    }
  for (guint c = 0; c < 4; c++)
    H5Dclose (ds[c]);
  H5Pclose (dcpl);
  H5Sclose (space);
  H5Gclose (group);
  H5Fclose (file);
  evs_hdf5_unlock ();
  return (g_get_monotonic_time () - start) / 1e6;
}

/* This thread's CPU time in ms: unlike the wall time, it leaves out the
 * time other processes of a busy machine take. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                  gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Reads 10 ms windows at random positions (5–95 % of the time range),
 * seeking through whatever index @reader has; returns the median, 95th
 * percentile and maximum wall time in ms (and the same of the CPU time in
 * @cpu[3]) and the mean number of events. */
static void
time_windows (EvsReader *reader,
              gint64     t_first,
              gint64     t_last,
              double    *median,
              double    *p95,
              double    *max,
              double     cpu[3],
              guint64   *mean_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (CHUNK);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const guint n_windows = 60;
  double times[60], cpu_times[60];
  guint64 window_events = 0;
  gint64 span = t_last - t_first;

  for (guint k = 0; k < n_windows; k++)
    {
      gint64 from = t_first + span / 20 + (gint64) (g_rand_double (rand) * span * 0.9);
      gint64 until = from + 10000;
      gint64 t0 = g_get_monotonic_time ();
      double c0 = thread_cpu_ms ();
      gboolean done = FALSE;

      g_assert_true (evs_reader_seek (reader, from, &error));
      while (!done)
        {
          g_assert_true (evs_reader_read (reader, chunk, &error));
          if (chunk->n_events == 0)
            break;
          for (gsize i = 0; i < chunk->n_events; i++)
            {
              if (chunk->t[i] >= until)
                {
                  done = TRUE;
                  break;
                }
              window_events++;
            }
        }
      times[k] = (g_get_monotonic_time () - t0) / 1e3;
      cpu_times[k] = thread_cpu_ms () - c0;
    }
  qsort (times, n_windows, sizeof (double), compare_doubles);
  qsort (cpu_times, n_windows, sizeof (double), compare_doubles);
  cpu[0] = cpu_times[n_windows / 2];
  cpu[1] = cpu_times[(n_windows * 95) / 100];
  cpu[2] = cpu_times[n_windows - 1];
  *median = times[n_windows / 2];
  *p95 = times[(n_windows * 95) / 100];
  *max = times[n_windows - 1];
  *mean_events = window_events / n_windows;
}

static void
bench_read (const char *label,
            const char *path,
            gboolean    has_table,
            double      write_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (CHUNK);
  g_autoptr(EvsIndex) index = NULL;
  GStatBuf st;
  guint64 n = 0, own_events = 0, idx_events;
  gint64 t_first = 0, t_last = 0, start;
  double read_s, index_s, own_med = 0, own_p95 = 0, own_max = 0, idx_med, idx_p95, idx_max;
  double own_cpu[3] = { 0 }, idx_cpu[3];

  g_assert_no_error (error);
  g_stat (path, &st);

  start = g_get_monotonic_time ();
  for (;;)
    {
      g_assert_true (evs_reader_read (reader, chunk, &error));
      if (chunk->n_events == 0)
        break;
      if (n == 0)
        t_first = chunk->t[0];
      t_last = chunk->t[chunk->n_events - 1];
      n += chunk->n_events;
    }
  read_s = (g_get_monotonic_time () - start) / 1e6;
  g_assert_cmpuint (n, ==, n_total);

  /* Seeking with the file's own time table (without one, each seek would
   * decode from the start), then with Evscope's index */
  if (has_table)
    time_windows (reader, t_first, t_last, &own_med, &own_p95, &own_max, own_cpu,
                  &own_events);

  start = g_get_monotonic_time ();
  index = evs_index_build (reader, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  index_s = (g_get_monotonic_time () - start) / 1e6;
  evs_reader_set_index (reader, index);
  time_windows (reader, t_first, t_last, &idx_med, &idx_p95, &idx_max, idx_cpu,
                &idx_events);
  if (has_table)
    g_assert_cmpuint (own_events, ==, idx_events);

  g_print ("%-22s %6.0f MB  write %6.1f M ev/s  read %6.1f M ev/s (%5.2f s)  index %5.2f s\n",
           label, st.st_size / 1e6, n_total / write_s / 1e6, n_total / read_s / 1e6, read_s,
           index_s);
  g_print ("  10 ms windows (%" G_GUINT64_FORMAT " events), 60 random positions, "
           "median / p95 / max in ms, wall (CPU):\n", idx_events);
  if (has_table)
    g_print ("    file's own time table: %.2f / %.2f / %.2f  (%.2f / %.2f / %.2f)\n",
             own_med, own_p95, own_max, own_cpu[0], own_cpu[1], own_cpu[2]);
  g_print ("    Evscope index%s: %.2f / %.2f / %.2f  (%.2f / %.2f / %.2f)\n",
           has_table ? " + table" : "", idx_med, idx_p95, idx_max, idx_cpu[0], idx_cpu[1],
           idx_cpu[2]);
}

static void
bench_ecf_decode (void)
{
  const gsize n = 16384;
  const guint n_blocks = 64;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autofree gint64 *t = g_new (gint64, n);
  g_autofree guint16 *x = g_new (guint16, n);
  g_autofree guint16 *y = g_new (guint16, n);
  g_autofree guint8 *p = g_new (guint8, n);
  gint64 now = 0;

  for (EvsEcfMode mode = EVS_ECF_MODE_AUTO; mode <= EVS_ECF_MODE_MASKED_X; mode++)
    {
      g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
      guint64 bytes = 0, events = 0;
      gint64 start;
      double s, cpu0, cpu_s;
      static const char *names[] = { "auto", "packed y/x/p", "packed x/p", "masked x" };

      for (guint b = 0; b < n_blocks; b++)
        {
          guint8 *out = g_malloc (evs_ecf_encode_bound (n));
          gsize len = 0;

          fill_chunk (chunk, rand, &now, n);
          g_assert_true (evs_ecf_encode (chunk->t, chunk->x, chunk->y, chunk->p, n, mode, out,
                                         evs_ecf_encode_bound (n), &len, NULL));
          g_ptr_array_add (blocks, out);
          g_array_append_val (sizes, len);
          bytes += len;
        }

      for (guint b = 0; b < n_blocks; b++)  /* warm up */
        {
          gsize got = 0;

          g_assert_true (evs_ecf_decode (blocks->pdata[b], g_array_index (sizes, gsize, b),
                                         t, x, y, p, n, &got, NULL));
        }
      start = g_get_monotonic_time ();
      cpu0 = thread_cpu_ms ();
      for (guint rep = 0; rep < 40; rep++)
        {
          for (guint b = 0; b < n_blocks; b++)
            {
              gsize got = 0;

              g_assert_true (evs_ecf_decode (blocks->pdata[b], g_array_index (sizes, gsize, b),
                                             t, x, y, p, n, &got, NULL));
              events += got;
            }
        }
      s = (g_get_monotonic_time () - start) / 1e6;
      cpu_s = (thread_cpu_ms () - cpu0) / 1e3;
      g_print ("ECF decode (%-13s) %7.1f M ev/s (CPU %6.1f)  %.2f bytes/event\n", names[mode],
               events / s / 1e6, events / cpu_s / 1e6, (double) bytes / (n_blocks * n));
    }
}

/* Decoding the real chunks Prophesee's converter wrote (when the fixtures
 * are present). */
static void
bench_ecf_fixture (const char *name)
{
  const char *fixtures = g_getenv ("EVS_FIXTURES_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) blocks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autofree gint64 *t = g_new (gint64, 16384);
  g_autofree guint16 *x = g_new (guint16, 16384);
  g_autofree guint16 *y = g_new (guint16, 16384);
  g_autofree guint8 *p = g_new (guint8, 16384);
  hid_t file, ds, space;
  hsize_t dims = 0;
  guint64 events = 0, bytes = 0;
  gint64 start = 0;
  double s, cpu0 = 0, cpu_s;

  if (fixtures == NULL)
    return;
  path = g_build_filename (fixtures, "openeb-converted", name, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  evs_hdf5_lock ();
  evs_hdf5_init ();
  file = H5Fopen (path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ds = H5Dopen2 (file, "CD/events", H5P_DEFAULT);
  space = H5Dget_space (ds);
  H5Sget_simple_extent_dims (space, &dims, NULL);
  for (hsize_t at = 0; at < dims; at += 16384)
    {
      hsize_t size = 0;
      guint32 mask = 0;
      guint8 *raw;

      H5Dget_chunk_storage_size (ds, &at, &size);
      raw = g_malloc (size);
      g_assert_cmpint (H5Dread_chunk (ds, H5P_DEFAULT, &at, &mask, raw), >=, 0);
      g_ptr_array_add (blocks, raw);
      g_array_append_val (sizes, size);
      bytes += size;
    }
  H5Sclose (space);
  H5Dclose (ds);
  H5Fclose (file);
  evs_hdf5_unlock ();

  for (guint rep = 0; rep < 21; rep++)
    {
      if (rep == 1)
        {
          events = 0;
          start = g_get_monotonic_time ();
          cpu0 = thread_cpu_ms ();
        }
      for (guint b = 0; b < blocks->len; b++)
        {
          gsize got = 0;

          g_assert_true (evs_ecf_decode (blocks->pdata[b], g_array_index (sizes, gsize, b),
                                         t, x, y, p, 16384, &got, NULL));
          events += got;
        }
    }
  s = (g_get_monotonic_time () - start) / 1e6;
  cpu_s = (thread_cpu_ms () - cpu0) / 1e3;
  g_print ("ECF decode (%s, real) %7.1f M ev/s (CPU %6.1f)  %.2f bytes/event\n", name,
           events / s / 1e6, events / cpu_s / 1e6, (double) bytes / dims);
}

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("EVS_BENCH_EVENTS");
  const char *base = g_getenv ("EVS_BENCH_DIR");
  g_autofree char *dir = NULL;
  g_autofree char *dsec = NULL;
  g_autofree char *ecf = NULL;
  g_autofree char *plain = NULL;
  double s;

  if (env != NULL)
    n_total = g_ascii_strtoull (env, NULL, 10);
  dir = g_build_filename (base != NULL ? base : g_get_tmp_dir (), "evs-bench-hdf5-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp (dir));
  dsec = g_build_filename (dir, "dsec.h5", NULL);
  ecf = g_build_filename (dir, "prophesee.hdf5", NULL);
  plain = g_build_filename (dir, "plain.h5", NULL);

  bench_ecf_decode ();
  bench_ecf_fixture ("evt3_sample.hdf5");
  bench_ecf_fixture ("evt2_sparklers.hdf5");

  g_print ("%" G_GUINT64_FORMAT " events\n", n_total);
  s = write_file (EVS_FORMAT_PROPHESEE_HDF5, ecf);
  bench_read ("Prophesee (ECF)", ecf, TRUE, s);
  g_unlink (ecf);
  s = write_file (EVS_FORMAT_DSEC_HDF5, dsec);
  bench_read ("DSEC (Blosc+Zstd)", dsec, TRUE, s);
  g_unlink (dsec);
  s = write_uncompressed (plain);
  bench_read ("Uncompressed columns", plain, FALSE, s);
  g_unlink (plain);
  g_rmdir (dir);

  return 0;
}
