/* test-text.c
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

static char *
write_tmp (const char *dir,
           const char *name,
           const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_no_error (error);
  return path;
}

/* Opens @contents as a text file and reads all of it. */
static EvsEventChunk *
read_text (const char  *contents,
           char       **detail,
           EvsReader  **reader_out)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_tmp (dir, "events.txt", contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  EvsEventChunk *all;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (evs_reader_get_format (reader), ==, EVS_FORMAT_TEXT);
  g_test_message ("detail: %s", evs_reader_get_info (reader)->detail);
  if (detail != NULL)
    *detail = g_strdup (evs_reader_get_info (reader)->detail);
  all = evs_test_read_reader (reader, 64, &error);
  g_assert_no_error (error);
  if (reader_out != NULL)
    *reader_out = g_steal_pointer (&reader);
  evs_test_remove_tree (dir);
  return all;
}

/* RPG / ECD events.txt: t x y p, float seconds, absolute ROS times */
static void
test_rpg (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("1468939993.067416019 33 39 1\n"
               "1468939993.067416500 158 145 0\n"
               "1468939993.067417499 88 143 1\n"
               "1468939993.999999500 0 0 0\n",
               &detail, &reader);

  g_assert_cmpuint (all->n_events, ==, 4);
  /* Exact µs, rounded half away from zero on the 7th decimal */
  evs_test_assert_event (all, 0, G_GINT64_CONSTANT (1468939993067416), 33, 39, 1);
  evs_test_assert_event (all, 1, G_GINT64_CONSTANT (1468939993067417), 158, 145, 0);
  evs_test_assert_event (all, 2, G_GINT64_CONSTANT (1468939993067417), 88, 143, 1);
  evs_test_assert_event (all, 3, G_GINT64_CONSTANT (1468939994000000), 0, 0, 0);
  g_assert_nonnull (strstr (detail, "columns t x y p"));
  g_assert_nonnull (strstr (detail, "seconds"));
  g_assert_nonnull (strstr (detail, "space-separated"));
  g_assert_nonnull (strstr (detail, "polarity 0/1"));
  g_assert_false (evs_reader_get_info (reader)->geometry_known);
}

/* E2VID: the first line is the sensor size; relative seconds, tabs */
static void
test_e2vid (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("240 180\r\n"
               "0.000000000\t10\t20\t1\r\n"
               "0.0000015\t239\t179\t0\r\n"
               "1.5\t3\t4\t1\r\n"
               "2\t5\t6\t0",   /* no final newline */
               &detail, &reader);

  g_assert_true (evs_reader_get_info (reader)->geometry_known);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 240);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 180);
  g_assert_cmpuint (all->n_events, ==, 4);
  evs_test_assert_event (all, 0, 0, 10, 20, 1);
  evs_test_assert_event (all, 1, 2, 239, 179, 0);
  evs_test_assert_event (all, 2, 1500000, 3, 4, 1);
  evs_test_assert_event (all, 3, 2000000, 5, 6, 0);
  g_assert_nonnull (strstr (detail, "E2VID"));
  g_assert_nonnull (strstr (detail, "tab-separated"));
  g_assert_nonnull (strstr (detail, "1 header line skipped"));
}

/* evlib: t x y p in seconds with ±1 polarity */
static void
test_pm1 (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("0.001 1 2 -1\n0.002 3 4 1\n0.0025 5 6 +1\n0.003 7 8 -1\n", &detail, NULL);

  g_assert_cmpuint (all->n_events, ==, 4);
  evs_test_assert_event (all, 0, 1000, 1, 2, 0);
  evs_test_assert_event (all, 1, 2000, 3, 4, 1);
  evs_test_assert_event (all, 2, 2500, 5, 6, 1);
  evs_test_assert_event (all, 3, 3000, 7, 8, 0);
  g_assert_nonnull (strstr (detail, "polarity ±1"));
}

/* x y t p with integer µs */
static void
test_xytp (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("5 6 100 1\n7 8 150 0\n300 200 220 1\n1 2 1000000 0\n", &detail, NULL);

  g_assert_cmpuint (all->n_events, ==, 4);
  evs_test_assert_event (all, 0, 100, 5, 6, 1);
  evs_test_assert_event (all, 2, 220, 300, 200, 1);
  evs_test_assert_event (all, 3, 1000000, 1, 2, 0);
  g_assert_nonnull (strstr (detail, "columns x y t p"));
  g_assert_nonnull (strstr (detail, "µs (integer)"));
}

/* Prophesee metavision_file_to_csv: x,y,p,t with integer µs, no header */
static void
test_prophesee_csv (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("%geometry:640,480\n"
               "100,200,1,5000\n101,201,0,5001\n639,479,1,5010\n0,0,0,1234567890123\n",
               &detail, &reader);

  g_assert_cmpuint (all->n_events, ==, 4);
  evs_test_assert_event (all, 0, 5000, 100, 200, 1);
  evs_test_assert_event (all, 1, 5001, 101, 201, 0);
  evs_test_assert_event (all, 2, 5010, 639, 479, 1);
  evs_test_assert_event (all, 3, G_GINT64_CONSTANT (1234567890123), 0, 0, 0);
  g_assert_nonnull (strstr (detail, "columns x y p t"));
  g_assert_nonnull (strstr (detail, "comma-separated"));
  g_assert_true (evs_reader_get_info (reader)->geometry_known);
  g_assert_cmpuint (evs_reader_get_width (reader), ==, 640);
  g_assert_cmpuint (evs_reader_get_height (reader), ==, 480);
}

/* Header names choose the columns, whatever the values; “, ” delimiters
 * and true/false polarity (faery's t,x,y,on). */
static void
test_header_names (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsEventChunk) all =
    read_text ("# produced by hand\n"
               "x, y, on, timestamp\n"
               "1, 2, true, 10\n"
               "3, 4, False, 5\n",
               &detail, NULL);

  g_assert_cmpuint (all->n_events, ==, 2);
  evs_test_assert_event (all, 0, 10, 1, 2, 1);
  evs_test_assert_event (all, 1, 5, 3, 4, 0);
  g_assert_nonnull (strstr (detail, "named by the header"));
  g_assert_nonnull (strstr (detail, "true/false"));
  g_assert_nonnull (strstr (detail, "2 header lines skipped"));
}

/* A byte order mark before the header line */
static void
test_bom (void)
{
  g_autofree char *detail = NULL;
  g_autoptr(EvsEventChunk) all = read_text ("\xEF\xBB\xBFp,t,y,x\r\n1,7,3,2\r\n0,8,5,4\r\n", &detail,
                                            NULL);

  g_assert_cmpuint (all->n_events, ==, 2);
  evs_test_assert_event (all, 0, 7, 2, 3, 1);
  evs_test_assert_event (all, 1, 8, 4, 5, 0);
  g_assert_nonnull (strstr (detail, "columns p t y x (named by the header)"));
}

/* Float seconds with a header naming the columns; negative times round
 * away from zero like llround(). */
static void
test_header_seconds (void)
{
  g_autoptr(EvsEventChunk) all =
    read_text ("t x y p\n-0.0000005 1 1 0\n0.0000005 1 1 1\n0.1234564 2 2 1\n1e-3 3 3 0\n",
               NULL, NULL);

  g_assert_cmpuint (all->n_events, ==, 4);
  evs_test_assert_event (all, 0, -1, 1, 1, 0);
  evs_test_assert_event (all, 1, 1, 1, 1, 1);
  evs_test_assert_event (all, 2, 123456, 2, 2, 1);
  evs_test_assert_event (all, 3, 1000, 3, 3, 0);
}

static void
expect_error (const char *contents,
              gboolean    at_open,
              const char *needle)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_tmp (dir, "bad.txt", contents);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);

  if (at_open)
    {
      g_assert_null (reader);
      g_assert_nonnull (error);
    }
  else
    {
      g_autoptr(EvsEventChunk) all = NULL;

      g_assert_no_error (error);
      all = evs_test_read_reader (reader, 64, &error);
      g_assert_null (all);
      g_assert_error (error, EVS_ERROR, EVS_ERROR_CORRUPT);
    }
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  evs_test_remove_tree (dir);
}

static void
test_malformed (void)
{
  GString *big = g_string_new ("t,x,y,p\n");
  g_autoptr(GString) many = g_string_new ("t,x,y,p\n");

  /* Found while reading, past the detection sample */
  for (guint i = 0; i < 1500; i++)
    g_string_append_printf (many, "%u,1,2,1\n", i);
  g_string_append (many, "1500,1,two,1\n");
  expect_error (many->str, FALSE, "line 1502 (byte 15398)");
  expect_error (many->str, FALSE, "y is not an integer");

  /* Found in the detection sample */
  expect_error ("t,x,y,p\n1,2,3,1\n2,3,4\n", TRUE, "line 3 (byte 16)");
  expect_error ("1 2 3 7\n2 3 4 1\n", TRUE, "cannot tell which columns");
  expect_error ("1 2 3\n", TRUE, "needs 4 fields");
  expect_error ("hello world 1\n", TRUE, "no event lines");

  for (guint i = 0; i < 1100; i++)
    g_string_append_printf (big, "%u,1,2,1\n", i);
  g_string_append (big, "5,");
  for (guint i = 0; i < 5000; i++)
    g_string_append_c (big, '1');
  g_string_append (big, ",2,1\n");
  expect_error (big->str, FALSE, "longer than 4096 bytes");
  g_string_free (big, TRUE);

  expect_error ("t,x,y,p\n1,70000,3,1\n", FALSE, "line 2 (byte 8): x is not");
}

static void
write_csv (const char            *path,
           const EvsEventChunk   *events,
           const char * const    *comments)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();

  writer = evs_writer_new (EVS_FORMAT_CSV, path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, comments, &error));
  g_assert_no_error (error);
  g_assert_true (evs_writer_write (writer, events, &error));
  g_assert_no_error (error);
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
}

static EvsEventChunk *
random_events (guint  n,
               gint64 t0)
{
  EvsEventChunk *events = evs_event_chunk_new (n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  gint64 t = t0;

  for (guint i = 0; i < n; i++)
    {
      t += g_rand_int_range (rand, 0, 40);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, 1280),
                            g_rand_int_range (rand, 0, 720), g_rand_int_range (rand, 0, 2));
    }
  return events;
}

/* CSV writer → text reader, with provenance comments and extreme values */
static void
test_csv_round_trip (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) events = random_events (20000, G_GINT64_CONSTANT (1605537493718345));
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autofree char *contents = NULL;
  const EvsRecordingInfo *info;
  const char *comments[] = {
    "evscope_version 0.1.0",
    "evscope_source in.raw",
    "evscope_pipeline {\"version\": 1,\n \"filters\": []}",
    NULL
  };

  evs_event_chunk_reserve (events, events->n_events + 1);
  evs_event_chunk_push (events, G_MAXINT64, 65535, 65535, 1);
  write_csv (path, events, comments);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "# evscope_version 0.1.0\n# evscope_source in.raw\n"
                                   "# evscope_pipeline {\"version\": 1,  \"filters\": []}\n"
                                   "t,x,y,p\n1605537493718"));

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, EVS_FORMAT_TEXT);
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_source"), ==, "in.raw");
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_version"), ==, "0.1.0");
  g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_pipeline"), ==,
                   "{\"version\": 1,  \"filters\": []}");
  g_assert_nonnull (strstr (info->detail, "µs (integer)"));

  back = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, events->n_events);
  evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);

  evs_test_remove_tree (dir);
}

static void
test_negative_round_trip (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "neg.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (4);
  g_autoptr(EvsEventChunk) back = NULL;

  evs_event_chunk_push (events, G_MININT64 + 1, 0, 0, 0);
  evs_event_chunk_push (events, -1, 9, 10, 1);
  evs_event_chunk_push (events, 0, 10000, 1000, 0);
  write_csv (path, events, NULL);

  back = evs_test_read_all (path, 64, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, 3);
  evs_test_assert_chunks_equal (back, 0, events, 0, 3);
  evs_test_remove_tree (dir);
}

static void
test_seek_and_damaged (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "seek.csv", NULL);
  g_autoptr(EvsEventChunk) events = random_events (30000, 1000);
  const char *comments[] = { "evscope_source synth", NULL };

  write_csv (path, events, comments);
  evs_test_check_seek (path, 30);
  evs_test_check_damaged (path, 40, 40);
  evs_test_remove_tree (dir);
}

/* Seek in a float-seconds file with comment and empty lines among the data */
static void
test_seek_seconds (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "events.txt", NULL);
  g_autoptr(GString) text = g_string_new ("346 260\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;

  for (guint i = 0; i < 5000; i++)
    {
      g_string_append_printf (text, "1633953690.%06u123 %u %u %u\n", i * 37, i % 346, i % 260,
                              i % 2);
      if (i % 1000 == 999)
        g_string_append (text, "\n# a comment\n");
    }
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));

  all = evs_test_read_all (path, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, ==, 5000);
  evs_test_assert_event (all, 4999, G_GINT64_CONSTANT (1633953690000000) + 4999 * 37, 4999 % 346,
                         4999 % 260, 1);
  evs_test_check_seek (path, 20);
  evs_test_check_damaged (path, 20, 20);
  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/evs/text/rpg", test_rpg);
  g_test_add_func ("/evs/text/e2vid", test_e2vid);
  g_test_add_func ("/evs/text/pm1", test_pm1);
  g_test_add_func ("/evs/text/xytp", test_xytp);
  g_test_add_func ("/evs/text/prophesee-csv", test_prophesee_csv);
  g_test_add_func ("/evs/text/header-names", test_header_names);
  g_test_add_func ("/evs/text/header-seconds", test_header_seconds);
  g_test_add_func ("/evs/text/bom", test_bom);
  g_test_add_func ("/evs/text/malformed", test_malformed);
  g_test_add_func ("/evs/text/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/evs/text/negative-round-trip", test_negative_round_trip);
  g_test_add_func ("/evs/text/seek-damaged", test_seek_and_damaged);
  g_test_add_func ("/evs/text/seek-seconds", test_seek_seconds);

  return g_test_run ();
}
