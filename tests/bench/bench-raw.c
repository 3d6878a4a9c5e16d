/* bench-raw.c
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

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* RAW reader/writer benchmark (not TAP: results are plain “name value”
 * lines).  A synthetic 1280×720 stream — edges sweeping across the sensor,
 * written as same-row same-timestamp bursts (EVT 3.0 vectors) plus random
 * noise — is generated chunk by chunk and written as EVT 3.0 and EVT 2.0 in
 * a temporary folder, then read back:
 *   *_decode_mevps_median   evs_reader_read() throughput, median of 5 runs
 *                           (and the same over process CPU time, which a
 *                           busy machine disturbs less)
 *   *_index_gbps            evs_index_build() speed over the file size,
 *                           median of 3 (and over CPU time)
 *   *_seek10ms_{median,p95}_ms  seek + read of a 10 ms window, index attached
 *   *_peak_rss_mb_*         peak RSS of a child that reads a whole file, for
 *                           two file sizes
 * A second EVT 3.0 stream replays the word sequence of the real Gen4
 * fixture expelliarmus/evt3_sample.raw (mostly single EVT_ADDR_X words, 2.8
 * bytes per event) to at least the same event count (evt3_real_mix_*,
 * skipped without EVS_FIXTURES_DIR); both EVT 3.0 streams get their word-type
 * mix printed (*_words_*_per_event).  The writer also gets the
 * synthesiser's events (at most 10 M; evt3_write_synth_mevps_cpu_time),
 * which are then read back and indexed like the others (evt3_synth_*:
 * scattered events, ~2 words per event).
 * Event count: EVS_BENCH_EVENTS (default 50 M); EVS_BENCH_ONLY=evt3,synth,real,evt2
 * (any subset) runs only those parts. */

#define WIDTH 1280
#define HEIGHT 720

typedef struct
{
  guint64 s;
} Rng;

static inline guint32
rng_next (Rng *r)
{
  r->s ^= r->s << 13;
  r->s ^= r->s >> 7;
  r->s ^= r->s << 17;
  return (guint32) (r->s >> 11);
}

static double
now_s (void)
{
  return (double) g_get_monotonic_time () / 1e6;
}

/* CPU time of this process: less disturbed than wall time on a busy machine */
static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int
cmp_double (const void *a,
            const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Fills @chunk with the next events of the synthetic stream. */
static void
generate (EvsEventChunk *chunk,
          Rng           *rng,
          gint64        *t,
          guint64       *left)
{
  evs_event_chunk_clear (chunk);

  /* at most 3 rows of 31 plus 3 noise events per step */
  while (*left > 0 && evs_event_chunk_get_free (chunk) >= 96)
    {
      guint edge_x = (guint) ((*t / 50) % WIDTH);
      guint n_rows = 1 + rng_next (rng) % 3;

      for (guint r = 0; r < n_rows; r++)
        {
          guint y = rng_next (rng) % HEIGHT;
          guint len = 4 + rng_next (rng) % 28;
          guint8 p = rng_next (rng) & 1;

          for (guint x = edge_x; x < MIN (edge_x + len, WIDTH) && *left > 0; x++)
            {
              if ((rng_next (rng) & 7) == 0)
                continue; /* a hole */
              evs_event_chunk_push (chunk, *t, (guint16) x, (guint16) y, p);
              (*left)--;
            }
        }
      for (guint k = rng_next (rng) % 4; k > 0 && *left > 0; k--)
        {
          evs_event_chunk_push (chunk, *t, rng_next (rng) % WIDTH, rng_next (rng) % HEIGHT,
                                rng_next (rng) & 1);
          (*left)--;
        }
      *t += 1 + rng_next (rng) % 22;
    }
}

/* EVT 3.0 writing of the synthesiser's events (moving edges, noise, hot
 * pixels: mostly single events on changing rows, few vectors, unlike
 * generate ()'s bursts), timing only the writer calls, in CPU time.
 * Returns the number of events written. */
static guint64
write_synth (const char *path,
             guint64     n_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);
  g_autoptr(EvsSynth) synth = NULL;
  g_autoptr(EvsRecordingInfo) info = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  EvsSynthParams params;
  guint64 done = 0;
  double wr = 0, t0;

  evs_synth_params_init (&params);
  params.duration_us = MAX (n_events / 3, 1000); /* about 3 M events/s */
  synth = evs_synth_new (&params, &error);
  if (synth == NULL)
    g_error ("%s", error->message);
  info = evs_synth_create_info (synth);
  if (!evs_writer_begin (writer, info, NULL, &error))
    g_error ("%s", error->message);
  while (evs_synth_fill (synth, chunk, NULL) > 0)
    {
      t0 = cpu_s ();
      if (!evs_writer_write (writer, chunk, &error))
        g_error ("%s", error->message);
      wr += cpu_s () - t0;
      done += chunk->n_events;
      evs_event_chunk_clear (chunk);
    }
  t0 = cpu_s ();
  if (!evs_writer_finish (writer, &error))
    g_error ("%s", error->message);
  wr += cpu_s () - t0;
  g_print ("evt3_write_synth_events %" G_GUINT64_FORMAT "\n", done);
  g_print ("evt3_write_synth_mevps_cpu_time %.1f\n", done / wr / 1e6);
  return done;
}

static void
write_file (const char *path,
            EvsFormat   format,
            guint64     n_events)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = evs_writer_new (format, path, &error);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  Rng rng = { 0x9E3779B97F4A7C15ull };
  gint64 t = 1000;
  guint64 left = n_events;
  double gen = 0, wr = 0, t0;

  info->width = WIDTH;
  info->height = HEIGHT;
  info->geometry_known = TRUE;
  if (!evs_writer_begin (writer, info, NULL, &error))
    g_error ("%s", error->message);
  while (left > 0)
    {
      t0 = now_s ();
      generate (chunk, &rng, &t, &left);
      gen += now_s () - t0;
      t0 = now_s ();
      if (!evs_writer_write (writer, chunk, &error))
        g_error ("%s", error->message);
      wr += now_s () - t0;
    }
  t0 = now_s ();
  if (!evs_writer_finish (writer, &error))
    g_error ("%s", error->message);
  wr += now_s () - t0;
  g_print ("%s_write_mevps %.1f\n", evs_format_to_string (format), n_events / wr / 1e6);
  g_print ("%s_duration_s %.2f\n", evs_format_to_string (format), (double) (t - 1000) / 1e6);
  (void) gen;
}

/* Replays the word sequence of a real EVT 3.0 recording (header kept,
 * words before its first TIME_HIGH dropped) until at least @n_min events
 * were written: repetition r shifts every TIME_HIGH by r times the span of
 * the sequence, so time goes on increasing and the 24-bit time loops stay
 * detectable.  Returns FALSE when @fixture cannot be read. */
static gboolean
write_real_mix (const char *fixture,
                const char *path,
                guint64     n_min)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  g_autofree guint16 *words = NULL;
  g_autofree guint32 *th_rel = NULL;
  gsize size = 0, payload = 0, n_words, first_th, n_ev = 0;
  guint32 th0, th_prev, span;
  guint64 loop = 0;
  FILE *out;

  if (!g_file_get_contents (fixture, (char **) &data, &size, NULL))
    return FALSE;
  while (payload < size && data[payload] == '%')
    {
      const guint8 *nl = memchr (data + payload, '\n', size - payload);

      if (nl == NULL)
        return FALSE;
      payload = (gsize) (nl - data) + 1;
    }
  n_words = (size - payload) / 2;
  words = g_new (guint16, MAX (n_words, 1));
  memcpy (words, data + payload, 2 * n_words);
  for (first_th = 0; first_th < n_words && words[first_th] >> 12 != 0x8; first_th++)
    ;
  if (first_th == n_words)
    return FALSE;

  /* TIME_HIGH values unwrapped relative to the first one, and events */
  th_rel = g_new (guint32, n_words);
  th0 = th_prev = words[first_th] & 0xFFF;
  for (gsize i = first_th; i < n_words; i++)
    {
      guint type = words[i] >> 12;

      if (type == 0x8)
        {
          guint32 th = words[i] & 0xFFF;

          if (th_prev >= 2048 + th)
            loop++;
          th_prev = th;
          th_rel[i] = (guint32) (loop * 4096 + th - th0);
        }
      else if (type == 0x2)
        n_ev++;
      else if (type == 0x4)
        n_ev += (gsize) __builtin_popcount (words[i] & 0xFFF);
      else if (type == 0x5)
        n_ev += (gsize) __builtin_popcount (words[i] & 0xFF);
    }
  span = (guint32) (loop * 4096 + th_prev - th0) + 1;

  out = fopen (path, "wb");
  if (out == NULL)
    g_error ("%s: %s", path, g_strerror (errno));
  fwrite (data, 1, payload, out);
  for (guint64 r = 0, written = 0; written < n_min; r++, written += n_ev)
    {
      for (gsize i = first_th; i < n_words; i++)
        if (words[i] >> 12 == 0x8)
          words[i] = (guint16) (0x8000 | ((th0 + th_rel[i] + r * span) & 0xFFF));
      if (fwrite (words + first_th, 2, n_words - first_th, out) != n_words - first_th)
        g_error ("%s: %s", path, g_strerror (errno));
    }
  if (fclose (out) != 0)
    g_error ("%s: %s", path, g_strerror (errno));
  (void) error;
  return TRUE;
}

/* Word-type mix of an EVT 3.0 file: words per event of each type and the
 * mean length of runs of EVT_ADDR_X words */
static void
print_evt3_stats (const char *label,
                  const char *path,
                  guint64     n_events)
{
  static const char *names[16] = {
    "addr_y", "type1", "addr_x", "vect_base_x", "vect_12", "vect_8", "time_low", "cont_4",
    "time_high", "type9", "ext_trigger", "typeB", "typeC", "imu", "others", "cont_12"
  };
  guint64 counts[16] = { 0 }, runs = 0, total = 0;
  guint8 buf[1 << 16];
  gboolean in_header = TRUE, at_line_start = TRUE, prev_x = FALSE;
  FILE *in = fopen (path, "rb");
  gsize got, carry = 0;

  if (in == NULL)
    g_error ("%s: %s", path, g_strerror (errno));
  while ((got = fread (buf + carry, 1, sizeof buf - carry, in)) > 0)
    {
      gsize at = 0;

      got += carry;
      while (in_header && at < got)
        {
          if (at_line_start && buf[at] != '%')
            in_header = FALSE;
          else
            {
              at_line_start = buf[at] == '\n';
              at++;
            }
        }
      for (; at + 2 <= got; at += 2)
        {
          guint type = buf[at + 1] >> 4;

          counts[type]++;
          total++;
          runs += type == 0x2 && !prev_x;
          prev_x = type == 0x2;
        }
      carry = got - at;
      memmove (buf, buf + at, carry);
    }
  fclose (in);

  for (guint i = 0; i < 16; i++)
    if (counts[i] > 0)
      g_print ("%s_words_%s_per_event %.4f\n", label, names[i], (double) counts[i] / n_events);
  g_print ("%s_words_per_event %.4f\n", label, (double) total / n_events);
  g_print ("%s_addr_x_mean_run %.2f\n", label, runs > 0 ? (double) counts[0x2] / runs : 0.0);
}

/* EVS_BENCH_ONLY=evt3,synth,real,evt2 (any subset) runs only those parts */
static gboolean
want (const char *part)
{
  const char *only = g_getenv ("EVS_BENCH_ONLY");

  return only == NULL || strstr (only, part) != NULL;
}

static guint64
read_all (const char *path,
          gint64     *t_first,
          gint64     *t_last)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
  guint64 n = 0;

  if (reader == NULL)
    g_error ("%s", error->message);
  while (evs_reader_read (reader, chunk, &error) && chunk->n_events > 0)
    {
      if (n == 0 && t_first != NULL)
        *t_first = chunk->t[0];
      n += chunk->n_events;
      if (t_last != NULL)
        *t_last = chunk->t[chunk->n_events - 1];
    }
  if (error != NULL)
    g_error ("%s", error->message);
  return n;
}

static double
peak_rss_mb (const char *self_exe,
             const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { self_exe, "--rss", path, NULL };
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, &error))
    g_error ("%s", error->message);
  return g_ascii_strtod (out, NULL);
}

static void
bench_file (const char *label,
            const char *path,
            guint64     n_expected)
{
  double runs[5];
  double cpu_runs[5];
  double lat[60];
  gint64 t_first = 0, t_last = 0;
  guint64 size;
  double t0, dt;

  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GFileInfo) fi = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, NULL);

    size = (guint64) g_file_info_get_size (fi);
  }
  g_print ("%s_file_mb %.1f\n", label, size / 1e6);
  g_print ("%s_bytes_per_event %.3f\n", label, (double) size / n_expected);

  for (guint r = 0; r < 5; r++)
    {
      guint64 n;
      double c0 = cpu_s ();

      t0 = now_s ();
      n = read_all (path, &t_first, &t_last);
      dt = now_s () - t0;
      cpu_runs[r] = n / (cpu_s () - c0) / 1e6;
      if (n != n_expected)
        g_error ("%s: read %" G_GUINT64_FORMAT " events, wrote %" G_GUINT64_FORMAT, path, n,
                 n_expected);
      runs[r] = n / dt / 1e6;
    }
  qsort (runs, 5, sizeof runs[0], cmp_double);
  g_print ("%s_decode_mevps_median %.1f\n", label, runs[2]);
  g_print ("%s_decode_mevps_min %.1f\n", label, runs[0]);
  g_print ("%s_decode_mevps_max %.1f\n", label, runs[4]);
  qsort (cpu_runs, 5, sizeof cpu_runs[0], cmp_double);
  g_print ("%s_decode_mevps_cpu_time_median %.1f\n", label, cpu_runs[2]);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
    g_autoptr(EvsIndex) index = NULL;
    g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
    Rng rng = { 12345 };
    double index_runs[3], index_cpu_runs[3];

    /* median of 3 builds (wall and CPU time) */
    for (guint r = 0; r < 3; r++)
      {
        double c0 = cpu_s ();

        g_clear_pointer (&index, evs_index_unref);
        t0 = now_s ();
        index = evs_index_build (reader, NULL, NULL, NULL, &error);
        index_runs[r] = size / (now_s () - t0) / 1e9;
        index_cpu_runs[r] = size / (cpu_s () - c0) / 1e9;
        if (index == NULL)
          g_error ("%s", error->message);
      }
    qsort (index_runs, 3, sizeof index_runs[0], cmp_double);
    qsort (index_cpu_runs, 3, sizeof index_cpu_runs[0], cmp_double);
    g_print ("%s_index_gbps %.2f\n", label, index_runs[1]);
    g_print ("%s_index_gbps_cpu_time %.2f\n", label, index_cpu_runs[1]);

    evs_reader_set_index (reader, index);
    for (guint k = 0; k < G_N_ELEMENTS (lat); k++)
      {
        gint64 start = t_first + (gint64) (rng_next (&rng) % (guint64) MAX (1, t_last - t_first - 10000));
        gboolean done = FALSE;

        t0 = now_s ();
        if (!evs_reader_seek (reader, start, &error))
          g_error ("%s", error->message);
        while (!done && evs_reader_read (reader, chunk, &error) && chunk->n_events > 0)
          done = chunk->t[chunk->n_events - 1] >= start + 10000;
        if (error != NULL)
          g_error ("%s", error->message);
        lat[k] = (now_s () - t0) * 1e3;
      }
    qsort (lat, G_N_ELEMENTS (lat), sizeof lat[0], cmp_double);
    g_print ("%s_seek10ms_median_ms %.3f\n", label, lat[G_N_ELEMENTS (lat) / 2]);
    g_print ("%s_seek10ms_p95_ms %.3f\n", label, lat[(G_N_ELEMENTS (lat) * 95) / 100]);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *evt3 = NULL;
  g_autofree char *evt3_small = NULL;
  g_autofree char *evt2 = NULL;
  g_autofree char *self_exe = NULL;
  const char *env = g_getenv ("EVS_BENCH_EVENTS");
  guint64 n_events = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 50000000;

  if (argc == 3 && strcmp (argv[1], "--rss") == 0)
    {
      struct rusage ru;

      read_all (argv[2], NULL, NULL);
      getrusage (RUSAGE_SELF, &ru);
      g_print ("%.1f\n", ru.ru_maxrss / 1024.0);
      return 0;
    }

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = g_strdup (argv[0]);

  dir = g_dir_make_tmp ("evs-bench-raw-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  evt3 = g_build_filename (dir, "big.evt3.raw", NULL);
  evt3_small = g_build_filename (dir, "small.evt3.raw", NULL);
  evt2 = g_build_filename (dir, "big.evt2.raw", NULL);

  g_print ("events %" G_GUINT64_FORMAT "\n", n_events);
  if (want ("evt3"))
    {
    write_file (evt3, EVS_FORMAT_EVT3, n_events);
    print_evt3_stats ("evt3", evt3, n_events);
    bench_file ("evt3", evt3, n_events);
    write_file (evt3_small, EVS_FORMAT_EVT3, n_events / 10);
    g_print ("evt3_peak_rss_mb_%" G_GUINT64_FORMAT "M %.1f\n", n_events / 10 / 1000000,
             peak_rss_mb (self_exe, evt3_small));
    g_print ("evt3_peak_rss_mb_%" G_GUINT64_FORMAT "M %.1f\n", n_events / 1000000,
             peak_rss_mb (self_exe, evt3));
    g_unlink (evt3_small);
    g_unlink (evt3);
    }

  if (want ("synth"))
    {
      g_autofree char *synth = g_build_filename (dir, "synth.evt3.raw", NULL);

      guint64 n = write_synth (synth, MIN (n_events, 10000000));

      /* Decoding and indexing of the synthesiser's output (scattered
       * events, ~2.2 words per event: the other end of the word mix) */
      print_evt3_stats ("evt3_synth", synth, n);
      bench_file ("evt3_synth", synth, n);
      g_unlink (synth);
    }

  /* The word sequence of a real Gen4 recording, replayed */
  {
    const char *fixtures = g_getenv ("EVS_FIXTURES_DIR");
    g_autofree char *fixture = g_build_filename (fixtures != NULL ? fixtures : "",
                                                 "expelliarmus", "evt3_sample.raw", NULL);
    g_autofree char *real = g_build_filename (dir, "real-mix.evt3.raw", NULL);

    if (!want ("real"))
      ;
    else if (fixtures != NULL && write_real_mix (fixture, real, n_events))
      {
        guint64 n = read_all (real, NULL, NULL);

        g_print ("evt3_real_mix_events %" G_GUINT64_FORMAT "\n", n);
        print_evt3_stats ("evt3_real_mix", real, n);
        bench_file ("evt3_real_mix", real, n);
        g_unlink (real);
      }
    else
      g_print ("# evt3_real_mix skipped: no %s\n", fixture);
  }

  if (want ("evt2"))
    {
      write_file (evt2, EVS_FORMAT_EVT2, n_events);
      bench_file ("evt2", evt2, n_events);
      g_print ("evt2_peak_rss_mb_%" G_GUINT64_FORMAT "M %.1f\n", n_events / 1000000,
               peak_rss_mb (self_exe, evt2));
      g_unlink (evt2);
    }

  g_rmdir (dir);
  return 0;
}
