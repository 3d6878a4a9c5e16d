/* test-aedat4.c
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
#include <lz4frame.h>
#include <string.h>
#include <zstd.h>

typedef struct
{
  const char *file;
  guint       width;
  guint       height;
  guint64     n_events;
  gint64      t_min;
  gint64      t_max;
  guint       x_max;
  guint       y_max;
  guint64     n_on;
  guint64     n_off;
  guint64     sum_x;
  guint64     sum_y;
  guint64     sum_dt;
  guint64     sum_t;
  gint64      first[5][4];
  gint64      last[4];
  guint64     other;
} Expected;

/* Values from shared/fixtures/real/tonic/README.md and aestream/README.md */
static const Expected tonic = {
  "tonic/sample.aedat4", 320, 240, 111954,
  G_GINT64_CONSTANT (1605537493718345), G_GINT64_CONSTANT (1605537494308262), 319, 239,
  55023, 56931, 18342405, 15105898, G_GUINT64_CONSTANT (31685685498),
  G_GUINT64_CONSTANT (13725647940043317084),
  { { G_GINT64_CONSTANT (1605537493718345), 154, 204, 0 },
    { G_GINT64_CONSTANT (1605537493718348), 149, 206, 0 },
    { G_GINT64_CONSTANT (1605537493718349), 148, 199, 1 },
    { G_GINT64_CONSTANT (1605537493718354), 139, 30, 0 },
    { G_GINT64_CONSTANT (1605537493718360), 130, 181, 1 } },
  { G_GINT64_CONSTANT (1605537494308262), 88, 237, 1 },
  59, /* IMUS packets */
};

static const Expected davis = {
  "aestream/davis.aedat4", 346, 260, 117667,
  G_GINT64_CONSTANT (1633953690975950), G_GINT64_CONSTANT (1633953691105949), 345, 259,
  72363, 45304, 17676033, 10498046, G_GUINT64_CONSTANT (7327758848),
  G_GUINT64_CONSTANT (7794988226299351338),
  { { G_GINT64_CONSTANT (1633953690975950), 218, 15, 1 },
    { G_GINT64_CONSTANT (1633953690975950), 306, 76, 1 },
    { G_GINT64_CONSTANT (1633953690975954), 178, 73, 0 },
    { G_GINT64_CONSTANT (1633953690975955), 89, 91, 0 },
    { G_GINT64_CONSTANT (1633953690975957), 57, 12, 1 } },
  { G_GINT64_CONSTANT (1633953691105949), 137, 56, 0 },
  27, /* 3 FRME + 13 IMUS + 11 TRIG packets */
};

static void
check_fixture (gconstpointer data)
{
  const Expected *x = data;
  g_autofree char *path = evs_test_fixture (x->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const EvsRecordingInfo *info;
  EvsTestSummary s;
  guint64 sum_dt = 0;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, EVS_FORMAT_AEDAT4);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, x->width);
  g_assert_cmpuint (info->height, ==, x->height);
  g_assert_nonnull (strstr (info->detail, "LZ4"));

  all = evs_test_read_reader (reader, 1000, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);

  g_assert_cmpuint (s.n_events, ==, x->n_events);
  g_assert_cmpint (s.t_min, ==, x->t_min);
  g_assert_cmpint (s.t_max, ==, x->t_max);
  g_assert_true (s.monotonic);
  g_assert_cmpuint (s.x_min, ==, 0);
  g_assert_cmpuint (s.x_max, ==, x->x_max);
  g_assert_cmpuint (s.y_min, ==, 0);
  g_assert_cmpuint (s.y_max, ==, x->y_max);
  g_assert_cmpuint (s.n_on, ==, x->n_on);
  g_assert_cmpuint (s.n_off, ==, x->n_off);
  g_assert_cmpuint (s.sum_x, ==, x->sum_x);
  g_assert_cmpuint (s.sum_y, ==, x->sum_y);
  g_assert_cmpuint (s.sum_t, ==, x->sum_t);
  for (gsize i = 0; i < all->n_events; i++)
    sum_dt += (guint64) (all->t[i] - all->t[0]);
  g_assert_cmpuint (sum_dt, ==, x->sum_dt);

  for (guint i = 0; i < 5; i++)
    evs_test_assert_event (all, i, x->first[i][0], x->first[i][1], x->first[i][2],
                           x->first[i][3]);
  evs_test_assert_event (all, all->n_events - 1, x->last[0], x->last[1], x->last[2], x->last[3]);

  g_assert_cmpuint (evs_reader_get_stats (reader)->other, ==, x->other);
  g_assert_cmpuint (evs_reader_get_stats (reader)->out_of_range, ==, 0);
}

static void
test_seek (void)
{
  g_autofree char *path = evs_test_fixture ("aestream/davis.aedat4");

  if (path == NULL)
    return;

  evs_test_check_seek (path, 30);
}

static void
test_damaged (void)
{
  g_autofree char *path = evs_test_fixture ("tonic/sample.aedat4");

  if (path == NULL)
    return;

  evs_test_check_damaged (path, 40, 40);
}

/* Hand-built files: IOHeader and EventPacket FlatBuffers laid out as
 * flatc would, compressed with each codec. */

static void
put_u16 (GByteArray *b,
         guint16     v)
{
  guint8 d[2] = { v & 0xFF, v >> 8 };

  g_byte_array_append (b, d, 2);
}

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  guint8 d[4] = { v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24 };

  g_byte_array_append (b, d, 4);
}

static void
put_u64 (GByteArray *b,
         guint64     v)
{
  put_u32 (b, (guint32) v);
  put_u32 (b, (guint32) (v >> 32));
}

static GByteArray *
build_ioheader (gint32      compression,
                gint64      data_table,
                const char *xml)
{
  GByteArray *b = g_byte_array_new ();
  guint32 n = strlen (xml);

  put_u32 (b, 20);                          /* root table */
  g_byte_array_append (b, (const guint8 *) "IOHE", 4);
  put_u16 (b, 10);                          /* vtable at 8 */
  put_u16 (b, 20);
  put_u16 (b, 4);
  put_u16 (b, 8);
  put_u16 (b, 16);
  put_u16 (b, 0);                           /* padding */
  put_u32 (b, 20 - 8);                      /* table at 20 */
  put_u32 (b, (guint32) compression);
  put_u64 (b, (guint64) data_table);
  put_u32 (b, 40 - 36);                     /* string at 40 */
  put_u32 (b, n);
  g_byte_array_append (b, (const guint8 *) xml, n + 1);
  while (b->len % 4 != 0)
    g_byte_array_append (b, (const guint8 *) "", 1);
  return b;
}

/* Size-prefixed EventPacket */
static GByteArray *
build_events (const EvsEventChunk *events,
              gsize                start,
              gsize                n)
{
  GByteArray *b = g_byte_array_new ();

  put_u32 (b, 0);                           /* size prefix, set below */
  put_u32 (b, 16);                          /* root table */
  g_byte_array_append (b, (const guint8 *) "EVTS", 4);
  put_u16 (b, 6);                           /* vtable at 8 */
  put_u16 (b, 8);
  put_u16 (b, 4);
  put_u16 (b, 0);                           /* padding */
  put_u32 (b, 16 - 8);                      /* table at 16 */
  put_u32 (b, 28 - 20);                     /* vector at 28 */
  put_u32 (b, 0);                           /* padding */
  put_u32 (b, (guint32) n);
  for (gsize i = start; i < start + n; i++)
    {
      put_u64 (b, (guint64) events->t[i]);
      put_u16 (b, events->x[i]);
      put_u16 (b, events->y[i]);
      g_byte_array_append (b, &events->p[i], 1);
      g_byte_array_append (b, (const guint8 *) "\0\0", 3);
    }
  b->data[0] = (b->len - 4) & 0xFF;
  b->data[1] = ((b->len - 4) >> 8) & 0xFF;
  b->data[2] = ((b->len - 4) >> 16) & 0xFF;
  b->data[3] = (guint8) ((b->len - 4) >> 24);
  return b;
}

static GBytes *
compress_body (gint32      compression,
               GByteArray *body)
{
  if (compression == 0)
    return g_bytes_new (body->data, body->len);
  if (compression == 1)
    {
      gsize cap = LZ4F_compressFrameBound (body->len, NULL);
      guint8 *out = g_malloc (cap);
      gsize n = LZ4F_compressFrame (out, cap, body->data, body->len, NULL);

      g_assert_false (LZ4F_isError (n));
      return g_bytes_new_take (out, n);
    }
  else
    {
      gsize cap = ZSTD_compressBound (body->len);
      guint8 *out = g_malloc (cap);
      gsize n = ZSTD_compress (out, cap, body->data, body->len, 3);

      g_assert_false (ZSTD_isError (n));
      return g_bytes_new_take (out, n);
    }
}

static void
append_packet (GByteArray *file,
               gint32      stream,
               GBytes     *body)
{
  put_u32 (file, (guint32) stream);
  put_u32 (file, (guint32) g_bytes_get_size (body));
  g_byte_array_append (file, g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static const char xml[] =
  "<dv version=\"2.0\"><node name=\"outInfo\" path=\"/x/\">"
  "<node name=\"2\" path=\"/x/2/\"><attr key=\"typeIdentifier\" type=\"string\">IMUS</attr>"
  "<node name=\"info\" path=\"/x/2/info/\"><attr key=\"source\" type=\"string\">imu</attr></node></node>"
  "<node name=\"5\" path=\"/x/5/\"><attr key=\"compression\" type=\"string\">X</attr>"
  "<attr key=\"typeIdentifier\" type=\"string\">EVTS</attr>"
  "<node name=\"info\" path=\"/x/5/info/\"><attr key=\"sizeX\" type=\"int\">640</attr>"
  "<attr key=\"sizeY\" type=\"int\">480</attr>"
  "<attr key=\"source\" type=\"string\">synthetic</attr></node></node>"
  "</node></dv>";

/* Events in stream 5, skipped packets in declared stream 2 and in an
 * undeclared stream 9 (a TRIG FlatBuffer), and a data table at the end. */
static char *
write_synthetic (const char          *dir,
                 gint32               compression,
                 const EvsEventChunk *events,
                 guint               *n_other)
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GByteArray) header = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("synthetic-%d.aedat4", compression);
  char *path = g_build_filename (dir, name, NULL);
  guint64 table_at;
  gsize start = 0;
  guint k = 0;

  /* The data table position is patched in once known */
  header = build_ioheader (compression, 0, xml);
  g_byte_array_append (file, (const guint8 *) "#!AER-DAT4.0\r\n", 14);
  put_u32 (file, header->len);
  g_byte_array_append (file, header->data, header->len);

  while (start < events->n_events)
    {
      gsize n = MIN (events->n_events - start, 700 + 37 * k);
      g_autoptr(GByteArray) body = build_events (events, start, n);
      g_autoptr(GBytes) packed = compress_body (compression, body);
      g_autoptr(GByteArray) other = g_byte_array_new ();
      g_autoptr(GBytes) other_packed = NULL;

      append_packet (file, 5, packed);

      put_u32 (other, 12);
      put_u32 (other, 8);
      g_byte_array_append (other, (const guint8 *) "TRIGxxxx", 8);
      other_packed = compress_body (compression, other);
      append_packet (file, k % 2 ? 2 : 9, other_packed);

      start += n;
      k++;
    }

  *n_other = k;
  table_at = file->len;
  g_byte_array_append (file, (const guint8 *) "not a packet stream: the table", 30);
  for (guint i = 0; i < 8; i++)
    file->data[18 + 28 + i] = (guint8) (table_at >> (8 * i));

  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_synthetic (gconstpointer data)
{
  gint32 compression = GPOINTER_TO_INT (data);
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = NULL;
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (20000);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  const EvsRecordingInfo *info;
  gint64 t = G_GINT64_CONSTANT (1700000000000000);
  guint n_other = 0;

  for (guint i = 0; i < 20000; i++)
    {
      t += g_rand_int_range (rand, 0, 5);
      evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, 640),
                            g_rand_int_range (rand, 0, 480), g_rand_int_range (rand, 0, 2));
    }
  path = write_synthetic (dir, compression, events, &n_other);

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, EVS_FORMAT_AEDAT4);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, 640);
  g_assert_cmpuint (info->height, ==, 480);
  g_assert_cmpstr (evs_recording_info_lookup (info, "source"), ==, "synthetic");
  g_assert_nonnull (strstr (info->detail, "events in stream 5"));

  back = evs_test_read_reader (reader, 333, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->n_events, ==, 20000);
  evs_test_assert_chunks_equal (back, 0, events, 0, 20000);
  g_assert_cmpuint (evs_reader_get_stats (reader)->other, ==, n_other);

  evs_test_check_seek (path, 15);
  evs_test_check_damaged (path, 20, 20);
  evs_test_remove_tree (dir);
}

static void
expect_open_error (const guint8 *data,
                   gsize         len,
                   const char   *needle)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.aedat4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) data, len, NULL));
  reader = evs_reader_open (path, &error);
  if (reader != NULL)
    {
      all = evs_test_read_reader (reader, 64, &error);
      g_assert_null (all);
    }
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  evs_test_remove_tree (dir);
}

static void
test_hostile (void)
{
  g_autoptr(GByteArray) file = g_byte_array_new ();
  g_autoptr(GByteArray) header = build_ioheader (1, -1, xml);
  g_autoptr(GByteArray) zeros = g_byte_array_sized_new (4 << 20);
  g_autoptr(GBytes) bomb = NULL;
  guint64 packet_at;

  g_byte_array_append (file, (const guint8 *) "#!AER-DAT4.0\r\n", 14);
  put_u32 (file, 0x7FFFFFFF);
  expect_open_error (file->data, file->len, "impossible length");

  g_byte_array_set_size (file, 14);
  put_u32 (file, header->len);
  g_byte_array_append (file, header->data, header->len);
  packet_at = file->len;

  /* A packet larger than the file */
  put_u32 (file, 5);
  put_u32 (file, 1000);
  g_byte_array_append (file, (const guint8 *) "abcd", 4);
  {
    g_autofree char *needle = g_strdup_printf ("packet at byte %" G_GUINT64_FORMAT, packet_at);

    expect_open_error (file->data, file->len, needle);
  }

  /* Not an LZ4 frame */
  g_byte_array_set_size (file, packet_at);
  put_u32 (file, 5);
  put_u32 (file, 4);
  g_byte_array_append (file, (const guint8 *) "abcd", 4);
  expect_open_error (file->data, file->len, "LZ4 frame");

  /* A decompression bomb: 300 MiB of zeros in one frame is refused */
  g_byte_array_set_size (zeros, 300u << 20);
  memset (zeros->data, 0, zeros->len);
  bomb = compress_body (1, zeros);
  g_byte_array_set_size (zeros, 0);
  g_byte_array_set_size (file, packet_at);
  append_packet (file, 5, bomb);
  expect_open_error (file->data, file->len, "more than 256 MiB");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/evs/aedat4/fixture/tonic", &tonic, check_fixture);
  g_test_add_data_func ("/evs/aedat4/fixture/davis", &davis, check_fixture);
  g_test_add_func ("/evs/aedat4/seek", test_seek);
  g_test_add_func ("/evs/aedat4/damaged", test_damaged);
  g_test_add_data_func ("/evs/aedat4/synthetic/none", GINT_TO_POINTER (0), test_synthetic);
  g_test_add_data_func ("/evs/aedat4/synthetic/lz4", GINT_TO_POINTER (1), test_synthetic);
  g_test_add_data_func ("/evs/aedat4/synthetic/zstd", GINT_TO_POINTER (3), test_synthetic);
  g_test_add_func ("/evs/aedat4/hostile", test_hostile);

  return g_test_run ();
}
