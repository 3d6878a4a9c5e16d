/* test-cli.c
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
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs the built `evscope-cli` (path in $EVSCOPE_CLI) and checks its exit
 * status, stdout, stderr and the files it writes.  The index cache goes to
 * a private $XDG_CACHE_HOME. */

static char *cache_dir;

typedef struct
{
  char *out;
  char *err;
  int   status;
} CliRun;

static void
cli_run_clear (CliRun *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
  r->status = -1;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliRun, cli_run_clear)

static const char *
cli_path (void)
{
  const char *path = g_getenv ("EVSCOPE_CLI");

  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("EVSCOPE_CLI is not set to the built evscope-cli");
      return NULL;
    }

  return path;
}

/* cli (&run, "info", "--json", path, NULL); FALSE (test skipped) when the
 * binary is not known. */
static gboolean
cli (CliRun     *r,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *path = cli_path ();
  int wait_status = 0;
  va_list ap;

  if (path == NULL)
    return FALSE;

  g_ptr_array_add (args, (gpointer) path);
  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache_dir, TRUE);

  cli_run_clear (r);
  g_spawn_sync (NULL, (char **) args->pdata, env, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);

  {
    g_autofree char *line = g_strjoinv (" ", (char **) args->pdata + 1);

    g_test_message ("evscope-cli %s → %d\nstdout: %s\nstderr: %s", line, r->status, r->out,
                    r->err);
  }

  return TRUE;
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return json_parser_steal_root (parser);
}

static gint64
member_int (JsonObject *o,
            const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_INT64);

  return json_node_get_int (node);
}

static gboolean
member_is_null (JsonObject *o,
                const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  g_assert_nonnull (node);

  return JSON_NODE_HOLDS_NULL (node);
}

/* Files in @dir; fails on a leftover temporary file (*.part). */
static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (name, ".part"))
        g_error ("temporary file %s left in %s", name, dir);
      n++;
    }

  return n;
}

static void
assert_file_contents (const char *path,
                      const char *expected,
                      gsize       expected_len)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, expected_len);
  g_assert_true (memcmp (contents, expected, len) == 0);
}

/* Writes @events as DAT, with the sensor size in the header when known. */
static void
write_dat (const char          *path,
           const EvsEventChunk *events,
           guint                width,
           guint                height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_DAT, path, &error);

  g_assert_no_error (error);
  info->width = width;
  info->height = height;
  g_assert_true (evs_writer_begin (writer, info, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (evs_writer_write (writer, events, &error));
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
}

/* Time-sorted events with many equal timestamps, starting at @t0. */
static EvsEventChunk *
make_events (guint   n,
             gint64  t0,
             guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  EvsEventChunk *events = evs_event_chunk_new (n);
  gint64 t = t0;

  for (guint i = 0; i < n; i++)
    {
      t += g_rand_int_range (rand, 0, 4);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, 640),
                            g_rand_int_range (rand, 0, 480), g_rand_int_range (rand, 0, 2));
    }

  return events;
}

static EvsEventChunk *
filter_range (const EvsEventChunk *all,
              gint64               start,
              gint64               end)
{
  EvsEventChunk *kept = evs_event_chunk_new (MAX (all->n_events, 1));

  for (gsize i = 0; i < all->n_events; i++)
    {
      if (all->t[i] >= start && all->t[i] < end)
        evs_event_chunk_push (kept, all->t[i], all->x[i], all->y[i], all->p[i]);
    }

  return kept;
}

/* “1,234,567”, as the CLI prints counts */
static char *
evs_cli_test_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

/* Help and dispatch */

static void
test_help (void)
{
  g_auto(CliRun) r = { 0 };

  if (!cli (&r, "--help", NULL))
    return;
  g_assert_cmpint (r.status, ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      static const char *names[] = { "info", "export", "render", "synth", "bench",
                                      "denoise-eval" };

      g_assert_nonnull (strstr (r.out, names[i]));
    }

  cli (&r, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "Usage"));

  cli (&r, "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command"));
  g_assert_nonnull (strstr (r.err, "frobnicate"));

  cli (&r, "--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, PACKAGE_VERSION));
}

static void
test_help_commands (void)
{
  static const char *commands[] = { "info", "export", "bench" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(CliRun) r = { 0 };
      g_autofree char *usage = g_strdup_printf ("evscope-cli %s", commands[i]);

      if (!cli (&r, commands[i], "--help", NULL))
        return;
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Usage:"));
      g_assert_nonnull (strstr (r.out, usage));
      g_assert_nonnull (strstr (r.out, "Examples:"));

      cli (&r, commands[i], "--no-such-option", "x", NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "--no-such-option"));
      g_assert_nonnull (strstr (r.err, "--help"));
      g_assert_cmpstr (r.out, ==, "");
    }
}

/* Commands owned by other parts of the tree: checked once they are built. */
static void
test_help_other_commands (void)
{
  static const char *commands[] = { "render", "synth", "denoise-eval" };
  guint n_checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(CliRun) r = { 0 };

      if (!cli (&r, commands[i], "--help", NULL))
        return;
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "Usage:"));
      n_checked++;
    }

  g_assert_cmpuint (n_checked, ==, G_N_ELEMENTS (commands));
}

/* info */

static void
test_info_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_auto(CliRun) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o, *stats, *header;

  if (path == NULL || !cli (&r, "info", "--json", path, NULL))
    return;

  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  root = parse_json (r.out);
  o = json_node_get_object (root);

  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "dat");
  g_assert_cmpstr (json_object_get_string_member (o, "file"), ==, path);
  g_assert_cmpint (member_int (o, "events"), ==, 4407);
  g_assert_cmpint (member_int (o, "t_first_us"), ==, 0);
  g_assert_cmpint (member_int (o, "t_last_us"), ==, 99937);
  g_assert_cmpint (member_int (o, "duration_us"), ==, 99937);
  g_assert_cmpint (member_int (o, "on"), ==, 1671);
  g_assert_cmpint (member_int (o, "off"), ==, 2736);
  /* No geometry in the header: the events' extent (x ≤ 53, y ≤ 60). */
  g_assert_cmpint (member_int (o, "width"), ==, 54);
  g_assert_cmpint (member_int (o, "height"), ==, 61);
  g_assert_false (json_object_get_boolean_member (o, "geometry_known"));
  g_assert_cmpint (member_int (o, "time_shift_us"), ==, 0);
  g_assert_cmpint (member_int (o, "file_size"), >, 4407 * 8);
  g_assert_false (member_is_null (o, "detail"));

  header = json_object_get_object_member (o, "header");
  g_assert_cmpstr (json_object_get_string_member (header, "Version"), ==, "2");
  stats = json_object_get_object_member (o, "stats");
  g_assert_cmpint (member_int (stats, "out_of_range"), ==, 0);
  g_assert_cmpint (member_int (stats, "non_monotonic"), ==, 0);

  /* Again from the cached index, in text */
  cli (&r, "info", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "4,407"));
  g_assert_nonnull (strstr (r.out, "1,671 / 2,736"));
  g_assert_nonnull (strstr (r.out, "99937 µs"));
  g_assert_nonnull (strstr (r.out, "0.099937 s"));
  g_assert_nonnull (strstr (r.out, "54 × 61 (inferred"));
}

/* The other real recordings, from their READMEs (times absolute, as
 * stored). */
static void
test_info_fixtures (void)
{
  static const struct
  {
    const char *path;
    const char *format;
    gint64      events, t_first, t_last, on, off;
    gint64      width, height;   /* 0: not checked */
    gint64      time_shift;      /* -1: not checked */
  } fixtures[] = {
    { "tonic/sample_ncars.dat", "dat", 2009, 0, 99952, 1350, 659, 78, 42, 0 },
    { "expelliarmus/evt3_sample.raw", "evt3", 219596, 11718656, 11727457, 115532, 104064,
      1280, 720, 11714560 },
    { "expelliarmus/evt2_sample.raw", "evt2", 539481, 1317888, 1367888, 367855, 171626,
      640, 480, 1317888 },
    { "faery/evt2.raw", "evt2", 521252, 913716224, 913812095, 185861, 335391, 640, 480,
      913716224 },
    { "dsec-layout/sparklers_dsec_events.h5", "dsec-hdf5", 521252, 913716224, 913812095,
      185861, 335391, 0, 0, -1 },
  };
  guint n_checked = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *path = evs_test_fixture (fixtures[i].path);
      g_autoptr(JsonNode) root = NULL;
      g_auto(CliRun) r = { 0 };
      JsonObject *o;

      if (path == NULL || !cli (&r, "info", "--json", path, NULL))
        continue;

      g_assert_cmpint (r.status, ==, 0);
      root = parse_json (r.out);
      o = json_node_get_object (root);
      g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, fixtures[i].format);
      g_assert_cmpint (member_int (o, "events"), ==, fixtures[i].events);
      g_assert_cmpint (member_int (o, "t_first_us"), ==, fixtures[i].t_first);
      g_assert_cmpint (member_int (o, "t_last_us"), ==, fixtures[i].t_last);
      g_assert_cmpint (member_int (o, "on"), ==, fixtures[i].on);
      g_assert_cmpint (member_int (o, "off"), ==, fixtures[i].off);
      if (fixtures[i].width > 0)
        {
          g_assert_cmpint (member_int (o, "width"), ==, fixtures[i].width);
          g_assert_cmpint (member_int (o, "height"), ==, fixtures[i].height);
        }
      if (fixtures[i].time_shift >= 0)
        g_assert_cmpint (member_int (o, "time_shift_us"), ==, fixtures[i].time_shift);
      n_checked++;
    }

  if (n_checked == 0)
    g_test_skip ("none of these fixtures can be read in this tree yet");
}

/* A generated recording with events outside the sensor and steps back in
 * time: the counts, the time range and the reader's notes. */
static void
test_info_generated (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "gen.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (50000, 3000000, 11);
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliRun) r = { 0 };
  guint64 expected_on = 0, expected_n = 0, expected_outside = 0, expected_back = 0;
  gint64 expected_first = 0, expected_last = G_MININT64, prev = G_MININT64;
  JsonObject *o, *stats;

  /* Every 997th event outside the 640 × 480 sensor, every 5000th 40 µs back */
  for (gsize i = 0; i < events->n_events; i++)
    {
      if (i % 997 == 500)
        events->x[i] = 640 + i % 100;
      if (i % 5000 == 4999)
        events->t[i] -= 40;
    }
  for (gsize i = 0; i < events->n_events; i++)
    {
      if (events->x[i] >= 640 || events->y[i] >= 480)
        {
          expected_outside++;
          continue;
        }
      if (expected_n == 0)
        expected_first = events->t[i];
      expected_back += prev != G_MININT64 && events->t[i] < prev;
      prev = events->t[i];
      expected_n++;
      expected_on += events->p[i];
      expected_last = MAX (expected_last, events->t[i]);
    }
  g_assert_cmpuint (expected_outside, >, 40);
  g_assert_cmpuint (expected_back, >, 5);

  write_dat (path, events, 640, 480);

  if (!cli (&r, "info", "--json", path, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  o = json_node_get_object (root);

  g_assert_cmpint (member_int (o, "width"), ==, 640);
  g_assert_cmpint (member_int (o, "height"), ==, 480);
  g_assert_true (json_object_get_boolean_member (o, "geometry_known"));
  g_assert_cmpint (member_int (o, "events"), ==, expected_n);
  g_assert_cmpint (member_int (o, "on"), ==, expected_on);
  g_assert_cmpint (member_int (o, "off"), ==, expected_n - expected_on);
  g_assert_cmpint (member_int (o, "t_first_us"), ==, expected_first);
  g_assert_cmpint (member_int (o, "t_last_us"), ==, expected_last);
  g_assert_true (member_is_null (o, "detail"));
  stats = json_object_get_object_member (o, "stats");
  g_assert_cmpint (member_int (stats, "out_of_range"), ==, expected_outside);
  g_assert_cmpint (member_int (stats, "non_monotonic"), ==, expected_back);
  g_assert_cmpint (member_int (stats, "triggers"), ==, 0);

  cli (&r, "info", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "640 × 480\n"));
  g_assert_nonnull (strstr (r.out, "events outside the sensor"));
  g_assert_nonnull (strstr (r.out, "earlier than the one before"));

out:
  evs_test_remove_tree (dir);
}

static void
test_info_empty (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "empty.dat", NULL);
  g_autoptr(EvsEventChunk) none = evs_event_chunk_new (1);
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliRun) r = { 0 };
  JsonObject *o;

  write_dat (path, none, 320, 240);

  if (!cli (&r, "info", "--json", path, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  o = json_node_get_object (root);
  g_assert_cmpint (member_int (o, "events"), ==, 0);
  g_assert_cmpint (member_int (o, "on"), ==, 0);
  g_assert_cmpint (member_int (o, "off"), ==, 0);
  g_assert_true (member_is_null (o, "t_first_us"));
  g_assert_true (member_is_null (o, "t_last_us"));
  g_assert_true (member_is_null (o, "duration_us"));
  g_assert_cmpint (member_int (o, "width"), ==, 320);

  cli (&r, "info", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "holds no events"));

out:
  evs_test_remove_tree (dir);
}

static void
test_info_errors (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *missing = g_build_filename (dir, "no-such-recording.raw", NULL);
  g_autofree char *garbage = g_build_filename (dir, "garbage.bin", NULL);
  g_auto(CliRun) r = { 0 };
  static const guint8 bytes[] = { 0x00, 0x01, 0xfe, 0xff, 0x10, 0x80, 0x00, 0x07 };

  if (!cli (&r, "info", missing, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "no-such-recording.raw"));
  g_assert_cmpstr (r.out, ==, "");

  g_assert_true (g_file_set_contents (garbage, (const char *) bytes, sizeof bytes, NULL));
  cli (&r, "info", "--json", garbage, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "garbage.bin"));
  g_assert_cmpstr (r.out, ==, "");

  cli (&r, "info", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, "info", garbage, garbage, NULL);
  g_assert_cmpint (r.status, ==, 2);

out:
  evs_test_remove_tree (dir);
}

/* export */

static void
test_export_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_auto(CliRun) r = { 0 };
  const EvsRecordingInfo *info;
  g_autofree char *expected_command = NULL;
  g_autofree char *expected_source = NULL;

  if (path == NULL)
    return;

  dir = evs_test_make_tmp_dir ();
  out = g_build_filename (dir, "copy.dat", NULL);

  if (!cli (&r, "export", path, out, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "4,407"));

  all = evs_test_read_all (path, 1000, &error);
  g_assert_no_error (error);
  reader = evs_reader_open (out, &error);
  g_assert_no_error (error);
  back = evs_test_read_reader (reader, 777, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, 4407);
  evs_test_assert_chunks_equal (back, 0, all, 0, 4407);

  /* The inferred geometry is now stated, and the provenance recorded. */
  info = evs_reader_get_info (reader);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, 54);
  g_assert_cmpuint (info->height, ==, 61);
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_version"), ==, PACKAGE_VERSION);
  /* The export job's provenance: the source's canonical path (the same
   * in GUI and CLI exports), no pipeline without --pipeline */
  expected_source = g_canonicalize_filename (path, NULL);
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_source"), ==, expected_source);
  g_assert_true (g_str_has_suffix (evs_recording_info_lookup (info, "evscope_source"),
                                   "/NCARS_obj_004397_td.dat"));
  g_assert_null (evs_recording_info_lookup (info, "evscope_pipeline"));
  expected_command = g_strdup_printf ("evscope-cli export %s %s", path, out);
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_command"), ==, expected_command);

  g_assert_cmpuint (count_files (dir), ==, 1);

out:
  evs_test_remove_tree (dir);
}

static void
check_range_export (const char          *in,
                    const char          *out,
                    const EvsEventChunk *all,
                    const char          *start,
                    const char          *end)
{
  g_auto(CliRun) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) back = NULL;
  gint64 s = start != NULL ? g_ascii_strtoll (start, NULL, 10) : G_MININT64;
  gint64 e = end != NULL ? g_ascii_strtoll (end, NULL, 10) : G_MAXINT64;

  if (start != NULL && end != NULL)
    cli (&r, "export", in, out, "--start-us", start, "--end-us", end, NULL);
  else if (start != NULL)
    cli (&r, "export", in, out, "--start-us", start, NULL);
  else
    cli (&r, "export", in, out, "--end-us", end, NULL);
  g_assert_cmpint (r.status, ==, 0);

  expected = filter_range (all, s, e);
  back = evs_test_read_all (out, 4096, &error);
  g_assert_no_error (error);
  g_test_message ("range [%s, %s): %" G_GSIZE_FORMAT " events", start, end, back->n_events);
  g_assert_cmpuint (back->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (back, 0, expected, 0, expected->n_events);
  if (expected->n_events == 0)
    g_assert_nonnull (strstr (r.out, "no events"));
}

/* --start-us/--end-us keep exactly the events with start ≤ t < end, across
 * chunk boundaries and on runs of equal timestamps. */
static void
test_export_time_range (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (200000, 1000000, 5);
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0, t1;
  g_autofree char *mid = NULL;
  g_autofree char *late = NULL;
  g_autofree char *before = NULL;
  g_autofree char *first = NULL;
  g_autofree char *just_after_first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *after = NULL;

  if (cli_path () == NULL)
    goto out;

  write_dat (in, events, 640, 480);
  all = evs_test_read_all (in, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, ==, 200000);
  t0 = all->t[0];
  t1 = all->t[all->n_events - 1];

  mid = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + (t1 - t0) / 3);
  late = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + 2 * (t1 - t0) / 3 + 1);
  before = g_strdup_printf ("%" G_GINT64_FORMAT, t0 - 100);
  first = g_strdup_printf ("%" G_GINT64_FORMAT, t0);
  just_after_first = g_strdup_printf ("%" G_GINT64_FORMAT, t0 + 1);
  last = g_strdup_printf ("%" G_GINT64_FORMAT, t1);
  after = g_strdup_printf ("%" G_GINT64_FORMAT, t1 + 1);

  check_range_export (in, out, all, mid, late);
  check_range_export (in, out, all, mid, NULL);
  check_range_export (in, out, all, NULL, late);
  check_range_export (in, out, all, before, after);
  check_range_export (in, out, all, first, just_after_first);
  check_range_export (in, out, all, last, after);
  check_range_export (in, out, all, after, NULL);  /* nothing */
  check_range_export (in, out, all, NULL, first);  /* nothing */

  g_assert_cmpuint (count_files (dir), ==, 2);

out:
  evs_test_remove_tree (dir);
}

/* When time steps back, events in the range after a later one are still
 * found: the export reads on to the end instead of stopping. */
static void
test_export_time_range_non_monotonic (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) a = make_events (100000, 5000000, 8);
  g_autoptr(EvsEventChunk) b = make_events (100000, 5000000, 9);
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (200000);
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  if (cli_path () == NULL)
    goto out;

  /* Two overlapping time ranges one after the other */
  evs_event_chunk_append_range (events, a, 0, a->n_events);
  evs_event_chunk_append_range (events, b, 0, b->n_events);
  write_dat (in, events, 640, 480);
  all = evs_test_read_all (in, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, ==, 200000);

  start = g_strdup_printf ("%" G_GINT64_FORMAT, a->t[20000]);
  end = g_strdup_printf ("%" G_GINT64_FORMAT, a->t[30000]);
  check_range_export (in, out, all, start, end);
  check_range_export (in, out, all, NULL, end);
  check_range_export (in, out, all, start, NULL);

out:
  evs_test_remove_tree (dir);
}

/* DAT → CSV → core reader, with a time range */
static void
test_export_csv (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(EvsEventChunk) events = make_events (70000, 123456789, 3);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(CliRun) r = { 0 };
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  write_dat (in, events, 640, 480);

  start = g_strdup_printf ("%" G_GINT64_FORMAT, events->t[10000]);
  end = g_strdup_printf ("%" G_GINT64_FORMAT, events->t[60000]);
  if (!cli (&r, "export", in, out, "--start-us", start, "--end-us", end, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);

  back = evs_test_read_all (out, 4096, &error);
  g_assert_no_error (error);
  expected = filter_range (events, events->t[10000], events->t[60000]);
  g_assert_cmpuint (back->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (back, 0, expected, 0, expected->n_events);

out:
  evs_test_remove_tree (dir);
}

static void
test_export_usage_errors (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *bad_ext = g_build_filename (dir, "out.xyz", NULL);
  g_autofree char *no_ext = g_build_filename (dir, "out", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (1000, 0, 1);
  g_auto(CliRun) r = { 0 };

  write_dat (in, events, 640, 480);

  if (!cli (&r, "export", in, bad_ext, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "out.xyz"));
  g_assert_nonnull (strstr (r.err, "--format"));

  cli (&r, "export", in, no_ext, NULL);
  g_assert_cmpint (r.status, ==, 2);

  cli (&r, "export", in, out, "--format", "mp4", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "mp4"));

  cli (&r, "export", in, out, "--format", "aedat4", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "cannot write"));

  cli (&r, "export", in, out, "--format", "rvt-hdf5", NULL);
  g_assert_cmpint (r.status, ==, 2);

  cli (&r, "export", in, out, "--start-us", "500", "--end-us", "500", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--start-us"));

  cli (&r, "export", in, out, "--start-us", "600", "--end-us", "500", NULL);
  g_assert_cmpint (r.status, ==, 2);

  cli (&r, "export", in, out, "--start-us", "soon", NULL);
  g_assert_cmpint (r.status, ==, 2);

  cli (&r, "export", in, out, "--pipeline", "no-such-denoise.json", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "no-such-denoise.json"));

  cli (&r, "export", in, NULL);
  g_assert_cmpint (r.status, ==, 2);

  cli (&r, "export", in, out, "extra", NULL);
  g_assert_cmpint (r.status, ==, 2);

  /* Nothing was written */
  g_assert_cmpuint (count_files (dir), ==, 1);

out:
  evs_test_remove_tree (dir);
}

static void
test_export_same_file (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *dotted = g_build_filename (dir, ".", "in.dat", NULL);
  g_autofree char *link_path = g_build_filename (dir, "link.dat", NULL);
  g_autofree char *hard_path = g_build_filename (dir, "hard.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (5000, 0, 2);
  g_autofree char *before = NULL;
  gsize before_len = 0;
  g_auto(CliRun) r = { 0 };
  const char *targets[4];

  write_dat (in, events, 640, 480);
  g_assert_true (g_file_get_contents (in, &before, &before_len, NULL));
  g_assert_cmpint (symlink ("in.dat", link_path), ==, 0);
  g_assert_cmpint (link (in, hard_path), ==, 0);

  targets[0] = in;
  targets[1] = dotted;
  targets[2] = link_path;
  targets[3] = hard_path;

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      if (!cli (&r, "export", in, targets[i], NULL))
        goto out;
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, "input"));
      assert_file_contents (in, before, before_len);
    }

  /* Also when the input is named through the link */
  cli (&r, "export", link_path, in, "--format", "evt3", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_file_contents (in, before, before_len);

  g_assert_cmpuint (count_files (dir), ==, 3);

out:
  evs_test_remove_tree (dir);
}

static void
test_export_missing_input (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "absent-input.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_auto(CliRun) r = { 0 };

  if (!cli (&r, "export", in, out, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "absent-input.dat"));
  g_assert_cmpuint (count_files (dir), ==, 0);

out:
  evs_test_remove_tree (dir);
}

/* A failure in the middle of the stream (a truncated last record) and an
 * unwritable folder leave an existing OUT as it was and no temporary file. */
static void
test_export_failure_keeps_out (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_autofree char *locked_out = g_build_filename (locked, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (300000, 0, 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_auto(CliRun) r = { 0 };
  static const char precious[] = "precious, not a recording";

  if (cli_path () == NULL)
    goto out;

  write_dat (in, events, 640, 480);
  file = g_file_new_for_path (in);
  stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (G_OUTPUT_STREAM (stream), "\x01\x02\x03", 3, NULL,
                                            NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_set_contents (out, precious, -1, NULL));

  cli (&r, "export", in, out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "truncated"));
  assert_file_contents (out, precious, strlen (precious));
  g_assert_cmpuint (count_files (dir), ==, 2);

  /* With a time range (indexing fails first) */
  cli (&r, "export", in, out, "--start-us", "1000", NULL);
  g_assert_cmpint (r.status, ==, 1);
  assert_file_contents (out, precious, strlen (precious));
  g_assert_cmpuint (count_files (dir), ==, 2);

  /* A folder the user cannot write to (root can, so only as a user) */
  g_assert_cmpint (g_mkdir (locked, 0700), ==, 0);
  g_assert_true (g_file_set_contents (locked_out, precious, -1, NULL));
  g_assert_cmpint (g_chmod (locked, 0500), ==, 0);
  if (access (locked, W_OK) != 0)
    {
      g_autoptr(EvsEventChunk) small = make_events (1000, 0, 6);

      write_dat (in, small, 640, 480);
      cli (&r, "export", in, locked_out, NULL);
      g_assert_cmpint (r.status, ==, 1);
      g_assert_nonnull (strstr (r.err, "locked"));
      assert_file_contents (locked_out, precious, strlen (precious));
      g_assert_cmpuint (count_files (locked), ==, 1);
    }
  else
    g_test_message ("running as root: the unwritable-folder case is not checked");
  g_assert_cmpint (g_chmod (locked, 0700), ==, 0);

out:
  evs_test_remove_tree (dir);
}

static gboolean
has_part_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      if (g_str_has_suffix (name, ".part"))
        return TRUE;
    }

  return FALSE;
}

/* SIGINT or SIGTERM while the output is being written: exit status 130,
 * the temporary file removed, an existing OUT untouched. */
static void
check_interrupt (int signum)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (2000000, 0, 13);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *path = cli_path ();
  static const char precious[] = "precious";
  const char *args[5];
  GPid pid = 0;
  int wait_status = 0;
  gboolean signalled = FALSE;

  if (path == NULL)
    goto out;

  write_dat (in, events, 640, 480);
  g_assert_true (g_file_set_contents (out, precious, -1, NULL));

  args[0] = path;
  args[1] = "export";
  args[2] = in;
  args[3] = out;
  args[4] = NULL;
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache_dir, TRUE);
  g_spawn_async (NULL, (char **) args, env,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                 | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &pid, &error);
  g_assert_no_error (error);

  /* Wait (at most 20 s) until the temporary output exists, then signal. */
  for (guint i = 0; i < 40000; i++)
    {
      if (has_part_file (dir))
        {
          kill (pid, signum);
          signalled = TRUE;
          break;
        }
      if (waitpid (pid, &wait_status, WNOHANG) == pid)
        {
          pid = 0;
          break;
        }
      g_usleep (500);
    }
  if (pid != 0)
    g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);

  if (signalled && WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0)
    {
      /* The export won the race: nothing to check but the result. */
      g_test_skip ("the export finished before the signal arrived");
      goto out;
    }
  g_assert_true (signalled);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 130);
  assert_file_contents (out, precious, strlen (precious));
  g_assert_cmpuint (count_files (dir), ==, 2);

out:
  evs_test_remove_tree (dir);
}

static void
test_export_interrupt (void)
{
  check_interrupt (SIGINT);
  check_interrupt (SIGTERM);
}

/* Every real fixture format the tree reads, exported to every writable
 * format the tree writes and read back: the same events, in order.  Then
 * text → text → DAT round trips of an export. */
static void
test_export_fixture_formats (void)
{
  static const char * const inputs[] = {
    "aestream/davis.aedat4",
    "tonic/sample.aedat4",
    "openeb-converted/evt2_sparklers.hdf5",
    "openeb-converted/evt3_sample.hdf5",
    "dsec-layout/sparklers_dsec_events.h5",
    "expelliarmus/NCARS_obj_004397_td.dat",
    "tonic/sample_ncars.dat",
    "expelliarmus/evt3_sample.raw",
    "expelliarmus/evt2_sample.raw",
  };
  static const struct
  {
    const char *name;
    const char *format;
  } outputs[] = {
    { "out.csv", NULL },
    { "out.txt", NULL },
    { "out.dat", NULL },
    { "out.h5", NULL },
    { "out-prophesee.h5", "prophesee-hdf5" },
    { "out.raw", NULL },
    { "out-evt2.raw", "evt2" },
  };
  g_autofree char *dir = NULL;
  guint n_checked = 0;

  if (cli_path () == NULL)
    return;
  dir = evs_test_make_tmp_dir ();

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autofree char *path = evs_test_fixture (inputs[i]);
      g_autoptr(EvsEventChunk) all = NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        return;
      all = evs_test_read_all (path, 4096, &error);
      g_assert_no_error (error);

      for (guint k = 0; k < G_N_ELEMENTS (outputs); k++)
        {
          g_autofree char *out = g_build_filename (dir, outputs[k].name, NULL);
          g_autofree char *again = g_build_filename (dir, "again.txt", NULL);
          g_autofree char *last = g_build_filename (dir, "again.h5", NULL);
          g_autoptr(EvsEventChunk) back = NULL;
          g_auto(CliRun) r = { 0 };

          if (outputs[k].format != NULL)
            cli (&r, "export", path, out, "--format", outputs[k].format, NULL);
          else
            cli (&r, "export", path, out, NULL);
          if (g_str_has_suffix (out, ".dat") && all->n_events > 0
              && all->t[0] >= G_GINT64_CONSTANT (1) << 32)
            {
              /* epoch times (AEDAT 4) do not fit DAT's 32-bit field */
              g_assert_cmpint (r.status, ==, 1);
              g_assert_nonnull (strstr (r.err, "32-bit"));
              g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
              continue;
            }
          g_assert_cmpint (r.status, ==, 0);
          back = evs_test_read_all (out, 1000, &error);
          g_assert_no_error (error);
          g_test_message ("%s → %s: %" G_GSIZE_FORMAT " events", inputs[i], outputs[k].name,
                          back->n_events);
          g_assert_cmpuint (back->n_events, ==, all->n_events);
          evs_test_assert_chunks_equal (back, 0, all, 0, all->n_events);
          n_checked++;

          /* and on from the export */
          if (k == 0)
            {
              g_autoptr(EvsEventChunk) twice = NULL;

              cli (&r, "export", out, again, NULL);
              g_assert_cmpint (r.status, ==, 0);
              cli (&r, "export", again, last, NULL);
              g_assert_cmpint (r.status, ==, 0);
              twice = evs_test_read_all (last, 333, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (twice->n_events, ==, all->n_events);
              evs_test_assert_chunks_equal (twice, 0, all, 0, all->n_events);
            }
        }
    }

  if (n_checked == 0)
    g_test_skip ("no fixture can be read in this tree yet");
  evs_test_remove_tree (dir);
}

/* export --pipeline */

/* Every filter type, sized for small sensors (≥ 54 × 61) */
static const char all_filters_json[] =
  "{\"version\": 1, \"filters\": [\n"
  "  {\"type\": \"monotonic\"},\n"
  "  {\"type\": \"duplicates\"},\n"
  "  {\"type\": \"time\", \"start_us\": 1000, \"end_us\": 900000000000},\n"
  "  {\"type\": \"roi\", \"rects\": [{\"x_min\": 2, \"x_max\": 50, \"y_min\": 2, \"y_max\": 58},\n"
  "                              {\"x_min\": 100, \"x_max\": 400, \"y_min\": 50, \"y_max\": 300}]},\n"
  "  {\"type\": \"polarity\", \"keep\": \"on\", \"enabled\": false},\n"
  "  {\"type\": \"hot_pixels\", \"max_rate_hz\": 400},\n"
  "  {\"type\": \"refractory\", \"period_us\": 300},\n"
  "  {\"type\": \"background_activity\", \"window_us\": 20000},\n"
  "  {\"type\": \"stcf\", \"window_us\": 20000, \"min_neighbors\": 2},\n"
  "  {\"type\": \"activity\", \"window_us\": 20000, \"min_events\": 1}\n"
  "]}\n";

/* `export IN OUT --pipeline P [range]` equals the pipeline applied in memory,
 * with the stage table printed and the pipeline in OUT's provenance. */
static void
check_pipeline_export (const char *in,
                       const char *out,
                       const char *pipeline_path,
                       const char *start,
                       const char *end,
                       gboolean    expect_drop)
{
  g_auto(CliRun) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) pipeline = evs_pipeline_new_from_file (pipeline_path, &error);
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(EvsEventChunk) expected = NULL;
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsPipeline) recorded = NULL;
  g_autofree char *json = NULL;
  g_autofree char *n_out = NULL;
  gint64 s = start != NULL ? g_ascii_strtoll (start, NULL, 10) : G_MININT64;
  gint64 e = end != NULL ? g_ascii_strtoll (end, NULL, 10) : G_MAXINT64;
  const char *prov;

  g_assert_no_error (error);
  if (start != NULL)
    cli (&r, "export", in, out, "--pipeline", pipeline_path, "--start-us", start, "--end-us",
         end, NULL);
  else
    cli (&r, "export", in, out, "--pipeline", pipeline_path, NULL);
  g_assert_cmpint (r.status, ==, 0);

  all = evs_test_read_all (in, 4096, &error);
  g_assert_no_error (error);
  expected = evs_test_apply_pipeline (all, pipeline, s, e);
  reader = evs_reader_open (out, &error);
  g_assert_no_error (error);
  back = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  g_test_message ("%s → %s: %" G_GSIZE_FORMAT " events of %" G_GSIZE_FORMAT ", %"
                  G_GSIZE_FORMAT " expected", in, out, back->n_events, all->n_events,
                  expected->n_events);
  g_assert_cmpuint (back->n_events, ==, expected->n_events);
  evs_test_assert_chunks_equal (back, 0, expected, 0, expected->n_events);
  if (expect_drop)
    {
      g_assert_cmpuint (back->n_events, >, 0);
      g_assert_cmpuint (back->n_events, <, all->n_events);
    }

  /* The stage table: every filter, and the total kept */
  g_assert_nonnull (strstr (r.out, "stage"));
  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    g_assert_nonnull (strstr (r.out, evs_filter_get_type_name (evs_pipeline_get_filter (pipeline,
                                                                                         i))));
  g_assert_nonnull (strstr (r.out, "(disabled)"));
  n_out = evs_cli_test_format_count (expected->n_events);
  g_assert_nonnull (strstr (r.out, n_out));

  /* Provenance: the pipeline, as the core writes it, reloads to the same */
  prov = evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_pipeline");
  json = evs_pipeline_to_string (pipeline, FALSE);
  g_assert_cmpstr (prov, ==, json);
  recorded = evs_pipeline_new_from_string (prov, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (evs_pipeline_get_n_filters (recorded), ==,
                    evs_pipeline_get_n_filters (pipeline));
  g_assert_nonnull (evs_recording_info_lookup (evs_reader_get_info (reader), "evscope_command"));
  if (start != NULL)
    g_assert_nonnull (evs_recording_info_lookup (evs_reader_get_info (reader),
                                                 "evscope_time_range"));
}

static void
test_export_pipeline_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  g_autofree char *dir = NULL;
  g_autofree char *pipeline = NULL;
  g_autofree char *out_dat = NULL;
  g_autofree char *out_csv = NULL;

  if (path == NULL || cli_path () == NULL)
    return;

  dir = evs_test_make_tmp_dir ();
  pipeline = g_build_filename (dir, "all.json", NULL);
  out_dat = g_build_filename (dir, "clean.dat", NULL);
  out_csv = g_build_filename (dir, "clean.csv", NULL);
  g_assert_true (g_file_set_contents (pipeline, all_filters_json, -1, NULL));

  check_pipeline_export (path, out_dat, pipeline, NULL, NULL, TRUE);
  check_pipeline_export (path, out_csv, pipeline, "20000", "80000", TRUE);
  g_assert_cmpuint (count_files (dir), ==, 3);

  evs_test_remove_tree (dir);
}

/* A recording from `evscope-cli synth` (with hot pixels), to DAT and HDF5 */
static void
test_export_pipeline_synth (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "synth.dat", NULL);
  g_autofree char *pipeline = g_build_filename (dir, "denoise.json", NULL);
  g_autofree char *out_dat = g_build_filename (dir, "clean.dat", NULL);
  g_autofree char *out_h5 = g_build_filename (dir, "clean.h5", NULL);
  g_auto(CliRun) r = { 0 };
  static const char denoise[] =
    "{\"version\": 1, \"filters\": [\n"
    "  {\"type\": \"hot_pixels\", \"max_rate_hz\": 400},\n"
    "  {\"type\": \"polarity\", \"keep\": \"off\", \"enabled\": false},\n"
    "  {\"type\": \"stcf\", \"window_us\": 5000, \"min_neighbors\": 2},\n"
    "  {\"type\": \"refractory\", \"period_us\": 500}\n"
    "]}\n";

  if (!cli (&r, "synth", in, "--width", "320", "--height", "240", "--duration-us", "400000",
            "--seed", "7", "--noise-hz", "2", "--hot-pixels", "4", NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_set_contents (pipeline, denoise, -1, NULL));

  check_pipeline_export (in, out_dat, pipeline, NULL, NULL, TRUE);
  check_pipeline_export (in, out_h5, pipeline, "100000", "300000", TRUE);
  check_pipeline_export (in, out_dat, pipeline, "100000", "300000", TRUE);

out:
  evs_test_remove_tree (dir);
}

/* A wrong pipeline is a usage error naming the filter and the key; nothing
 * is written. */
static void
test_export_bad_pipeline (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autofree char *out = g_build_filename (dir, "out.dat", NULL);
  g_autofree char *pipeline = g_build_filename (dir, "bad.json", NULL);
  g_autoptr(EvsEventChunk) events = make_events (1000, 0, 1);
  static const struct
  {
    const char *json;
    const char *expected[3];
  } cases[] = {
    { "{\"version\": 1, \"filters\": [{\"type\": \"stcf\", \"window_uss\": 5000}]}",
      { "stcf", "window_uss", NULL } },
    { "{\"version\": 1, \"filters\": [{\"type\": \"refractory\"},"
      " {\"type\": \"stcf\", \"min_neighbors\": 9}]}",
      { "stcf", "min_neighbors", "filter 1" } },
    { "{\"version\": 1, \"filters\": [{\"type\": \"refractory\", \"period_us\": \"long\"}]}",
      { "refractory", "period_us", NULL } },
    { "{\"version\": 1, \"filters\": [{\"type\": \"median\"}]}",
      { "median", NULL, NULL } },
    { "{\"version\": 1, \"filters\": [{\"type\": \"polarity\", \"keep\": \"up\"}]}",
      { "polarity", "keep", NULL } },
    { "{\"version\": 2, \"filters\": []}",
      { "version", NULL, NULL } },
    { "{\"version\": 1, \"filters\": [", { "bad.json", "JSON", NULL } },
  };
  g_auto(CliRun) r = { 0 };

  write_dat (in, events, 640, 480);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_true (g_file_set_contents (pipeline, cases[i].json, -1, NULL));
      if (!cli (&r, "export", in, out, "--pipeline", pipeline, NULL))
        goto out;
      g_assert_cmpint (r.status, ==, 2);
      g_assert_cmpstr (r.out, ==, "");
      for (guint k = 0; k < G_N_ELEMENTS (cases[i].expected) && cases[i].expected[k]; k++)
        {
          if (strstr (r.err, cases[i].expected[k]) == NULL)
            g_error ("“%s” not in the error for %s: %s", cases[i].expected[k], cases[i].json,
                     r.err);
        }
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }

  /* Also for bench */
  cli (&r, "bench", "--pipeline", pipeline, in, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "bad.json"));

  g_assert_cmpuint (count_files (dir), ==, 2);

out:
  evs_test_remove_tree (dir);
}

/* bench */

static void
test_bench (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in.dat", NULL);
  g_autoptr(EvsEventChunk) events = make_events (100000, 0, 12);
  g_autoptr(JsonNode) root = NULL;
  g_auto(CliRun) r = { 0 };
  JsonObject *o;
  JsonArray *runs;
  GStatBuf st;

  events->x[777] = 1000; /* outside the sensor: dropped by the reader */
  write_dat (in, events, 640, 480);
  g_assert_cmpint (g_stat (in, &st), ==, 0);

  if (!cli (&r, "bench", "--json", "--repeat", "2", "--chunk-events", "1000", in, NULL))
    goto out;
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  o = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, "dat");
  g_assert_cmpint (member_int (o, "events"), ==, 99999);
  g_assert_cmpint (member_int (o, "repeat"), ==, 2);
  g_assert_cmpint (member_int (o, "chunk_events"), ==, 1000);
  g_assert_cmpint (member_int (o, "file_size"), ==, st.st_size);
  runs = json_object_get_array_member (o, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);

      g_assert_cmpint (member_int (run, "events"), ==, 99999);
      g_assert_cmpfloat (json_object_get_double_member (run, "seconds"), >, 0.0);
      g_assert_cmpfloat (json_object_get_double_member (run, "mev_per_s"), >, 0.0);
    }
  g_assert_cmpfloat (json_object_get_double_member (o, "median_seconds"), >, 0.0);

  cli (&r, "bench", in, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "99,999 events"));
  g_assert_nonnull (strstr (r.out, "Run 3"));
  g_assert_nonnull (strstr (r.out, "Median"));

  /* With a pipeline: the same events kept as the pipeline in memory */
  {
    g_autofree char *pipeline_path = g_build_filename (dir, "p.json", NULL);
    g_autoptr(EvsPipeline) pipeline = NULL;
    g_autoptr(EvsEventChunk) all = NULL;
    g_autoptr(EvsEventChunk) expected = NULL;
    g_autoptr(JsonNode) proot = NULL;
    g_autoptr(GError) error = NULL;
    JsonObject *p, *stage;
    JsonArray *stages;
    guint64 prev_out;

    g_assert_true (g_file_set_contents (pipeline_path, all_filters_json, -1, NULL));
    pipeline = evs_pipeline_new_from_file (pipeline_path, &error);
    g_assert_no_error (error);
    all = evs_test_read_all (in, 4096, &error);
    g_assert_no_error (error);
    expected = evs_test_apply_pipeline (all, pipeline, G_MININT64, G_MAXINT64);
    g_assert_cmpuint (expected->n_events, >, 0);
    g_assert_cmpuint (expected->n_events, <, all->n_events);

    cli (&r, "bench", "--json", "--repeat", "2", "--chunk-events", "777", "--pipeline",
         pipeline_path, in, NULL);
    g_assert_cmpint (r.status, ==, 0);
    proot = parse_json (r.out);
    o = json_node_get_object (proot);
    g_assert_cmpint (member_int (o, "events"), ==, 99999);
    runs = json_object_get_array_member (o, "runs");
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *run = json_array_get_object_element (runs, i);

        g_assert_cmpint (member_int (run, "events_out"), ==, expected->n_events);
        g_assert_cmpfloat (json_object_get_double_member (run, "pipeline_seconds"), >, 0.0);
        g_assert_cmpfloat (json_object_get_double_member (run, "decode_seconds"), >, 0.0);
        g_assert_cmpfloat (json_object_get_double_member (run, "decode_seconds")
                           + json_object_get_double_member (run, "pipeline_seconds"), <=,
                           json_object_get_double_member (run, "seconds") + 1e-9);
      }
    p = json_object_get_object_member (o, "pipeline");
    g_assert_cmpint (member_int (p, "events_out"), ==, expected->n_events);
    g_assert_cmpfloat (json_object_get_double_member (p, "first_pass_seconds"), >, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (p, "median_decode_mev_per_s"), >,
                       json_object_get_double_member (p, "median_decode_pipeline_mev_per_s"));
    stages = json_object_get_array_member (p, "stages");
    g_assert_cmpuint (json_array_get_length (stages), ==, evs_pipeline_get_n_filters (pipeline));
    prev_out = 99999;
    for (guint i = 0; i < json_array_get_length (stages); i++)
      {
        stage = json_array_get_object_element (stages, i);
        g_assert_cmpstr (json_object_get_string_member (stage, "type"), ==,
                         evs_filter_get_type_name (evs_pipeline_get_filter (pipeline, i)));
        g_assert_cmpint (member_int (stage, "in"), ==, prev_out);
        g_assert_cmpint (member_int (stage, "out"), <=, member_int (stage, "in"));
        if (!json_object_get_boolean_member (stage, "enabled"))
          g_assert_cmpint (member_int (stage, "out"), ==, member_int (stage, "in"));
        prev_out = member_int (stage, "out");
      }
    g_assert_cmpint (prev_out, ==, expected->n_events);

    cli (&r, "bench", "--repeat", "1", "--pipeline", pipeline_path, in, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "decode only"));
    g_assert_nonnull (strstr (r.out, "decode+pipeline"));
    g_assert_nonnull (strstr (r.out, "stcf"));
    g_assert_nonnull (strstr (r.out, "(disabled)"));
  }

  cli (&r, "bench", "--repeat", "0", in, NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, "bench", "--chunk-events", "8", in, NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, "bench", "missing-file.dat", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "missing-file.dat"));

out:
  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);

  cache_dir = evs_test_make_tmp_dir ();

  g_test_add_func ("/evs/cli/help", test_help);
  g_test_add_func ("/evs/cli/help/commands", test_help_commands);
  g_test_add_func ("/evs/cli/help/other-commands", test_help_other_commands);
  g_test_add_func ("/evs/cli/info/fixture", test_info_fixture);
  g_test_add_func ("/evs/cli/info/fixtures", test_info_fixtures);
  g_test_add_func ("/evs/cli/info/generated", test_info_generated);
  g_test_add_func ("/evs/cli/info/empty", test_info_empty);
  g_test_add_func ("/evs/cli/info/errors", test_info_errors);
  g_test_add_func ("/evs/cli/export/fixture", test_export_fixture);
  g_test_add_func ("/evs/cli/export/time-range", test_export_time_range);
  g_test_add_func ("/evs/cli/export/time-range-non-monotonic", test_export_time_range_non_monotonic);
  g_test_add_func ("/evs/cli/export/csv", test_export_csv);
  g_test_add_func ("/evs/cli/export/usage-errors", test_export_usage_errors);
  g_test_add_func ("/evs/cli/export/same-file", test_export_same_file);
  g_test_add_func ("/evs/cli/export/missing-input", test_export_missing_input);
  g_test_add_func ("/evs/cli/export/failure-keeps-out", test_export_failure_keeps_out);
  g_test_add_func ("/evs/cli/export/interrupt", test_export_interrupt);
  g_test_add_func ("/evs/cli/export/fixture-formats", test_export_fixture_formats);
  g_test_add_func ("/evs/cli/export/pipeline-fixture", test_export_pipeline_fixture);
  g_test_add_func ("/evs/cli/export/pipeline-synth", test_export_pipeline_synth);
  g_test_add_func ("/evs/cli/export/bad-pipeline", test_export_bad_pipeline);
  g_test_add_func ("/evs/cli/bench", test_bench);

  status = g_test_run ();

  evs_test_remove_tree (cache_dir);
  g_clear_pointer (&cache_dir, g_free);

  return status;
}
