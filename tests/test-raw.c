/* test-raw.c
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

#define EVT3_HEADER "% format EVT3;height=720;width=1280\n% geometry 1280x720\n% end\n"

/* Hand-built files ------------------------------------------------------- */

typedef struct
{
  char       *dir;
  GByteArray *bytes;
} RawFile;

static void
raw_file_init (RawFile    *f,
               const char *header)
{
  f->dir = evs_test_make_tmp_dir ();
  f->bytes = g_byte_array_new ();
  g_byte_array_append (f->bytes, (const guint8 *) header, strlen (header));
}

static void
raw_file_clear (RawFile *f)
{
  evs_test_remove_tree (f->dir);
  g_clear_pointer (&f->dir, g_free);
  g_clear_pointer (&f->bytes, g_byte_array_unref);
}

static void
put16 (RawFile *f,
       guint    w)
{
  guint8 b[2] = { w & 0xFF, (w >> 8) & 0xFF };

  g_byte_array_append (f->bytes, b, 2);
}

static void
put32 (RawFile *f,
       guint32  w)
{
  guint8 b[4] = { w & 0xFF, (w >> 8) & 0xFF, (w >> 16) & 0xFF, (w >> 24) & 0xFF };

  g_byte_array_append (f->bytes, b, 4);
}

/* EVT 2.1 logical word in either byte order (FORMATS.md §1.3) */
static void
encode_evt21 (guint64  w,
              gboolean legacy,
              guint8   out[8])
{
  guint32 hi = (guint32) (w >> 32), lo = (guint32) w;
  guint32 first = legacy ? hi : lo, second = legacy ? lo : hi;

  for (guint i = 0; i < 4; i++)
    {
      out[i] = (first >> (8 * i)) & 0xFF;
      out[4 + i] = (second >> (8 * i)) & 0xFF;
    }
}

static void
put64 (RawFile  *f,
       guint64   w,
       gboolean  legacy)
{
  guint8 b[8];

  encode_evt21 (w, legacy, b);
  g_byte_array_append (f->bytes, b, 8);
}

static char *
raw_file_write (RawFile *f)
{
  char *path = g_build_filename (f->dir, "test.raw", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) f->bytes->data, f->bytes->len, &error));
  g_assert_no_error (error);
  return path;
}

/* The index built by counting (EvsReaderClass.scan, with AVX-512) against
 * the one built by decoding every chunk (EVS_DISABLE_INDEX_SCAN): the same
 * bytes as cached (chunk boundaries, resumable states, totals, counts of
 * dropped and non-monotonic events), or the same error. */
static void
check_index_scan (const char *path)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  char *idx[2] = { NULL, NULL };
  char *contents[2] = { NULL, NULL };
  char *messages[2] = { NULL, NULL };
  gsize len[2] = { 0, 0 };

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
      g_autoptr(EvsIndex) index = NULL;

      g_assert_no_error (error);
      if (pass == 1)
        g_setenv ("EVS_DISABLE_INDEX_SCAN", "1", TRUE);
      index = evs_index_build (reader, NULL, NULL, NULL, &error);
      g_unsetenv ("EVS_DISABLE_INDEX_SCAN");
      if (index == NULL)
        {
          messages[pass] = g_strdup (error->message);
          continue;
        }
      idx[pass] = g_build_filename (dir, pass == 0 ? "scan.idx" : "decode.idx", NULL);
      g_assert_true (evs_index_save (index, idx[pass], &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (idx[pass], &contents[pass], &len[pass], &error));
      g_assert_no_error (error);
    }
  g_assert_cmpstr (messages[0], ==, messages[1]);
  g_assert_cmpmem (contents[0], len[0], contents[1], len[1]);
  evs_test_remove_tree (dir);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_free (idx[pass]);
      g_free (contents[pass]);
      g_free (messages[pass]);
    }
}

/* EvsReaderClass.scan chunk by chunk against evs_reader_read () at
 * @capacity: the same facts, positions and stats after every chunk.  Does
 * nothing where the reader cannot scan. */
static void
check_scan_chunks (const char *path,
                   gsize       capacity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) scanner = evs_reader_open (path, &error);
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (capacity);

  g_assert_no_error (error);
  for (;;)
    {
      EvsReaderPosition a, b;
      EvsScanFacts facts;
      gboolean read_ok;
      int r;

      evs_reader_tell (scanner, &a);
      evs_reader_tell (reader, &b);
      g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
      g_assert_cmpmem (evs_reader_get_stats (scanner), sizeof (EvsReaderStats),
                       evs_reader_get_stats (reader), sizeof (EvsReaderStats));

      r = _evs_reader_scan (scanner, chunk->capacity, &facts, &error);
      if (r == 0)
        return;
      read_ok = evs_reader_read (reader, chunk, NULL);
      g_assert_cmpint (r > 0, ==, read_ok);
      g_clear_error (&error);
      if (r < 0)
        return;
      g_assert_cmpuint (facts.n_events, ==, chunk->n_events);
      if (chunk->n_events == 0)
        return;
      {
        guint64 n_on = 0;
        gint64 t_max = G_MININT64;
        guint16 max_x = 0, max_y = 0;

        for (gsize i = 0; i < chunk->n_events; i++)
          {
            n_on += chunk->p[i];
            t_max = MAX (t_max, chunk->t[i]);
            max_x = MAX (max_x, chunk->x[i]);
            max_y = MAX (max_y, chunk->y[i]);
          }
        g_assert_cmpuint (facts.n_on, ==, n_on);
        g_assert_cmpint (facts.t_first, ==, chunk->t[0]);
        g_assert_cmpint (facts.t_last, ==, chunk->t[chunk->n_events - 1]);
        g_assert_cmpint (facts.t_max, ==, t_max);
        g_assert_cmpuint (facts.max_x, ==, max_x);
        g_assert_cmpuint (facts.max_y, ==, max_y);
      }
    }
}

/* EVT 3.0 words */
#define TH(v)    (0x8000 | (v))
#define TL(v)    (0x6000 | (v))
#define Y(v)     (0x0000 | (v))
#define X(v, p)  (0x2000 | ((p) << 11) | (v))
#define VB(v, p) (0x3000 | ((p) << 11) | (v))
#define V12(m)   (0x4000 | (m))
#define V8(m)    (0x5000 | (m))

static EvsEventChunk *
read_file (RawFile    *f,
           EvsReader **out_reader)
{
  g_autofree char *path = raw_file_write (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
  EvsEventChunk *all;

  g_assert_no_error (error);
  all = evs_test_read_reader (reader, 100, &error);
  g_assert_no_error (error);
  if (out_reader != NULL)
    *out_reader = g_steal_pointer (&reader);
  return all;
}

/* Fixtures ---------------------------------------------------------------- */

typedef struct
{
  const char *path;
  EvsFormat   format;
  guint       width, height;
  gint64      time_shift;
  guint64     n, n_on, n_off;
  gint64      t_min, t_max;
  guint       x_min, x_max, y_min, y_max;
  guint64     sum_t, sum_x, sum_y;
  gint64      first[5][4];
  gint64      last[4];
} FixtureCase;

/* Values from shared/fixtures/real/expelliarmus/README.md and faery/README.md */
static const FixtureCase fixtures[] = {
  { "expelliarmus/evt3_sample.raw", EVS_FORMAT_EVT3, 1280, 720, 11714560,
    219596, 115532, 104064, 11718656, 11727457, 0, 1279, 0, 719,
    G_GUINT64_CONSTANT (2574324900467), 159113225, 85638051,
    { { 11718656, 874, 200, 0 }, { 11718656, 806, 200, 1 }, { 11718656, 882, 201, 0 },
      { 11718656, 1085, 201, 1 }, { 11718656, 1235, 201, 1 } },
    { 11727457, 1218, 572, 1 } },
  { "expelliarmus/evt3_pedestrians_cut5000.raw", EVS_FORMAT_EVT3, 1280, 720, 5832704,
    5000, 2894, 2106, 5840504, 5885714, 11, 1279, 22, 698,
    G_GUINT64_CONSTANT (29310165280), 3415152, 1425333,
    { { 5840504, 707, 297, 0 }, { 5840507, 592, 301, 0 }, { 5840511, 997, 313, 0 },
      { 5840526, 682, 283, 1 }, { 5840526, 150, 331, 1 } },
    { 5885714, 598, 260, 0 } },
  { "expelliarmus/evt2_sample.raw", EVS_FORMAT_EVT2, 640, 480, 1317888,
    539481, 367855, 171626, 1317888, 1367888, 60, 599, 18, 475,
    G_GUINT64_CONSTANT (724340275912), 171811022, 110162026,
    { { 1317888, 237, 121, 1 }, { 1317888, 246, 121, 1 }, { 1317888, 248, 132, 1 },
      { 1317888, 239, 133, 1 }, { 1317888, 256, 134, 1 } },
    { 1367888, 210, 142, 1 } },
  { "faery/evt2.raw", EVS_FORMAT_EVT2, 640, 480, 913716224,
    521252, 185861, 335391, 913716224, 913812095, 0, 639, 0, 479,
    G_GUINT64_CONSTANT (476298094656969), 128979953, 216346680,
    { { 913716224, 35, 443, 1 }, { 913716224, 36, 443, 1 }, { 913716224, 74, 443, 1 },
      { 913716224, 75, 443, 1 }, { 913716224, 72, 443, 1 } },
    { 913812095, 12, 471, 0 } },
};

static void
test_fixture (gconstpointer data)
{
  const FixtureCase *c = data;
  g_autofree char *path = evs_test_fixture (c->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  const EvsRecordingInfo *info;
  const EvsReaderStats *stats;
  EvsTestSummary s;

  if (path == NULL)
    return;

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  info = evs_reader_get_info (reader);
  g_assert_cmpint (info->format, ==, c->format);
  g_assert_true (info->geometry_known);
  g_assert_cmpuint (info->width, ==, c->width);
  g_assert_cmpuint (info->height, ==, c->height);
  g_assert_cmpint (info->time_shift_us, ==, c->time_shift);
  g_assert_nonnull (strstr (info->detail, "system_ID"));
  g_assert_cmpuint (info->file_size, >, 0);

  all = evs_test_read_reader (reader, 4099, &error);
  g_assert_no_error (error);
  evs_test_summarize (all, &s);

  g_assert_cmpuint (s.n_events, ==, c->n);
  g_assert_cmpuint (s.n_on, ==, c->n_on);
  g_assert_cmpuint (s.n_off, ==, c->n_off);
  g_assert_cmpint (s.t_min, ==, c->t_min);
  g_assert_cmpint (s.t_max, ==, c->t_max);
  g_assert_cmpuint (s.x_min, ==, c->x_min);
  g_assert_cmpuint (s.x_max, ==, c->x_max);
  g_assert_cmpuint (s.y_min, ==, c->y_min);
  g_assert_cmpuint (s.y_max, ==, c->y_max);
  g_assert_cmpuint (s.sum_t, ==, c->sum_t);
  g_assert_cmpuint (s.sum_x, ==, c->sum_x);
  g_assert_cmpuint (s.sum_y, ==, c->sum_y);
  g_assert_true (s.monotonic);
  for (guint i = 0; i < 5; i++)
    evs_test_assert_event (all, i, c->first[i][0], c->first[i][1], c->first[i][2],
                           c->first[i][3]);
  evs_test_assert_event (all, all->n_events - 1, c->last[0], c->last[1], c->last[2], c->last[3]);

  stats = evs_reader_get_stats (reader);
  g_assert_cmpuint (stats->out_of_range, ==, 0);
  g_assert_cmpuint (stats->non_monotonic, ==, 0);
  g_assert_cmpuint (stats->unknown_words, ==, 0);
  g_assert_cmpuint (stats->triggers, ==, 0);
  g_assert_cmpuint (stats->other, ==, 0);
}

/* The word sequence that expelliarmus gets wrong (README): event #46 */
static void
test_expelliarmus_bug (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/evt3_pedestrians_cut5000.raw");
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;

  if (path == NULL)
    return;

  all = evs_test_read_all (path, 64, &error);
  g_assert_no_error (error);
  evs_test_assert_event (all, 46, 1426 * 4096 + 13, 594, 301, 0);

  {
    RawFile f;
    g_autoptr(EvsEventChunk) ev = NULL;

    raw_file_init (&f, EVT3_HEADER);
    put16 (&f, TH (1425));
    put16 (&f, TH (1425));
    put16 (&f, TL (4095));
    put16 (&f, Y (272));
    put16 (&f, X (831, 0));
    put16 (&f, TH (1426));
    put16 (&f, TL (1));
    put16 (&f, TL (13));
    put16 (&f, Y (301));
    put16 (&f, X (594, 0));
    ev = read_file (&f, NULL);
    g_assert_cmpuint (ev->n_events, ==, 2);
    evs_test_assert_event (ev, 0, 1425 * 4096 + 4095, 831, 272, 0);
    evs_test_assert_event (ev, 1, 5840909, 594, 301, 0);
    raw_file_clear (&f);
  }
}

static void
test_fixture_seek (gconstpointer data)
{
  const FixtureCase *c = data;
  g_autofree char *path = evs_test_fixture (c->path);

  if (path == NULL)
    return;
  evs_test_check_seek (path, 30);
  check_index_scan (path);
  check_scan_chunks (path, 777);
  check_scan_chunks (path, EVS_CHUNK_DEFAULT_CAPACITY);
}

static void
test_fixture_damaged (gconstpointer data)
{
  const FixtureCase *c = data;
  g_autofree char *path = evs_test_fixture (c->path);

  if (path == NULL)
    return;
  evs_test_check_damaged (path, 40, 40);
}

/* OpenEB decoder cases (hal/cpp/test/decoders_evt3_decoder_gtest.cpp) ----- */

static void
test_evt3_basic (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (0));
  put16 (&f, Y (1));
  put16 (&f, X (2, 0));
  put16 (&f, X (3, 1));
  ev = read_file (&f, NULL);
  g_assert_cmpuint (ev->n_events, ==, 2);
  evs_test_assert_event (ev, 0, 0, 2, 1, 0);
  evs_test_assert_event (ev, 1, 0, 3, 1, 1);
  raw_file_clear (&f);
}

static void
test_evt3_before_time_high (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;
  g_autoptr(EvsReader) reader = NULL;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, Y (1));
  put16 (&f, X (2, 0));
  put16 (&f, TH (3));
  put16 (&f, Y (4));
  put16 (&f, X (5, 0));
  ev = read_file (&f, &reader);
  g_assert_cmpuint (ev->n_events, ==, 1);
  evs_test_assert_event (ev, 0, 3 << 12, 5, 4, 0);
  g_assert_cmpuint (evs_reader_get_stats (reader)->before_time_base, ==, 1);
  g_assert_cmpint (evs_reader_get_info (reader)->time_shift_us, ==, 2 << 12);
  raw_file_clear (&f);
}

static void
test_evt3_time_high_jump (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (0));
  put16 (&f, Y (1));
  put16 (&f, X (2, 0));
  put16 (&f, TH (2));
  put16 (&f, X (3, 0));
  put16 (&f, TH (3));
  put16 (&f, X (4, 1));
  ev = read_file (&f, NULL);
  g_assert_cmpuint (ev->n_events, ==, 3);
  evs_test_assert_event (ev, 0, 0, 2, 1, 0);
  evs_test_assert_event (ev, 1, 2 << 12, 3, 1, 0);
  evs_test_assert_event (ev, 2, 3 << 12, 4, 1, 1);
  raw_file_clear (&f);
}

static void
test_evt3_gap_on_overflow (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (0));
  put16 (&f, Y (1));
  put16 (&f, X (2, 0));
  for (guint th = 1; th <= 0xFFD; th++)
    put16 (&f, TH (th));
  put16 (&f, X (3, 0));
  put16 (&f, TH (1));
  put16 (&f, X (4, 0));
  ev = read_file (&f, NULL);
  g_assert_cmpuint (ev->n_events, ==, 3);
  evs_test_assert_event (ev, 1, (gint64) 0xFFD << 12, 3, 1, 0);
  evs_test_assert_event (ev, 2, (gint64) 0x1001 << 12, 4, 1, 0);
  raw_file_clear (&f);
}

static void
test_evt3_vectors (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (7));
  put16 (&f, TL (9));
  put16 (&f, Y (5));
  put16 (&f, VB (100, 1));
  put16 (&f, V12 (0xFFF));
  put16 (&f, V12 (0xFFF));
  put16 (&f, V8 (0xFF));
  /* Each vector word on its own (docs semantics): a lone VECT_8 and a
   * partial group */
  put16 (&f, VB (1000, 0));
  put16 (&f, V8 (0x81));
  put16 (&f, VB (1200, 1));
  put16 (&f, V12 (0x001));
  put16 (&f, V12 (0x800));
  ev = read_file (&f, NULL);
  g_assert_cmpuint (ev->n_events, ==, 32 + 2 + 2);
  for (guint i = 0; i < 32; i++)
    evs_test_assert_event (ev, i, (7 << 12) + 9, 100 + i, 5, 1);
  evs_test_assert_event (ev, 32, (7 << 12) + 9, 1000, 5, 0);
  evs_test_assert_event (ev, 33, (7 << 12) + 9, 1007, 5, 0);
  evs_test_assert_event (ev, 34, (7 << 12) + 9, 1200, 5, 1);
  evs_test_assert_event (ev, 35, (7 << 12) + 9, 1223, 5, 1);
  raw_file_clear (&f);
}

/* A repeated TIME_HIGH keeps TIME_LOW, a new one resets it; rows at or past
 * the height (including the orig bit) and after a type-1 word are not CD. */
static void
test_evt3_state (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;
  g_autoptr(EvsReader) reader = NULL;
  const EvsReaderStats *stats;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (1));
  put16 (&f, TL (5));
  put16 (&f, Y (1));
  put16 (&f, TH (1));
  put16 (&f, X (2, 0));              /* 4096 + 5 */
  put16 (&f, TH (2));
  put16 (&f, X (3, 1));              /* 8192 */
  put16 (&f, Y (720));
  put16 (&f, X (4, 0));              /* dropped: y ≥ height */
  put16 (&f, Y (0x800 | 6));
  put16 (&f, X (5, 0));              /* dropped: orig bit */
  put16 (&f, Y (7));
  put16 (&f, 0x1000);
  put16 (&f, X (6, 0));              /* dropped: row marked non-CD */
  put16 (&f, 0xA000 | (3 << 8) | 1); /* trigger */
  put16 (&f, 0xE000);                /* OTHERS + continued words */
  put16 (&f, 0xF000);
  put16 (&f, 0xF000);
  put16 (&f, 0x7000);
  put16 (&f, 0x9000);                /* reserved */
  put16 (&f, Y (8));
  put16 (&f, TL (17));
  put16 (&f, X (9, 1));
  ev = read_file (&f, &reader);
  g_assert_cmpuint (ev->n_events, ==, 3);
  evs_test_assert_event (ev, 0, 4096 + 5, 2, 1, 0);
  evs_test_assert_event (ev, 1, 8192, 3, 1, 1);
  evs_test_assert_event (ev, 2, 8192 + 17, 9, 8, 1);
  stats = evs_reader_get_stats (reader);
  g_assert_cmpuint (stats->triggers, ==, 1);
  g_assert_cmpuint (stats->other, ==, 4);
  g_assert_cmpuint (stats->unknown_words, ==, 2);
  raw_file_clear (&f);
}

/* More than 16.8 s: TIME_HIGH wraps from 0xFFF to 0 twice. */
static void
test_evt3_loop (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;
  EvsTestSummary s;
  guint n = 0;

  raw_file_init (&f, EVT3_HEADER);
  for (guint k = 0; k < 2 * 4096 + 100; k += 3)
    {
      put16 (&f, TH (k & 0xFFF));
      if (k == 0)
        put16 (&f, Y (3));
      put16 (&f, TL (k & 0x7FF));
      put16 (&f, X (k % 1280, k & 1));
      n++;
    }
  ev = read_file (&f, NULL);
  evs_test_summarize (ev, &s);
  g_assert_cmpuint (s.n_events, ==, n);
  g_assert_true (s.monotonic);
  for (guint i = 0; i < n; i++)
    {
      guint k = 3 * i;

      g_assert_cmpint (ev->t[i], ==, ((gint64) k << 12) + (k & 0x7FF));
    }
  g_assert_cmpint (s.t_max, >, 2 * 16777216);
  raw_file_clear (&f);
}

/* EVT 2.0: 34-bit loops, triggers and other words */
static void
test_evt2_words (void)
{
  RawFile f;
  g_autoptr(EvsEventChunk) ev = NULL;
  g_autoptr(EvsReader) reader = NULL;
  const EvsReaderStats *stats;

  raw_file_init (&f, "% format EVT2;width=640;height=480\n% end\n");
  put32 (&f, (1u << 28) | (5 << 11) | 6);         /* before the time base */
  put32 (&f, 0x80000000u | 0x0FFFFFFE);
  put32 (&f, (1u << 28) | (63u << 22) | (639u << 11) | 479);
  put32 (&f, 0xA0000000u | (3 << 8) | 1);
  put32 (&f, 0xE0000000u);
  put32 (&f, 0xF0000000u);
  put32 (&f, 0x50000000u);
  put32 (&f, 0x80000000u | 0x0FFFFFFE);           /* repeated */
  put32 (&f, (0u << 28) | (1u << 22) | (1u << 11) | 2);
  put32 (&f, 0x80000000u | 0x0FFFFFFF);
  put32 (&f, 0x80000000u | 2);                   /* loop: +2^34 */
  put32 (&f, (1u << 28) | (7u << 22) | (10u << 11) | 20);
  ev = read_file (&f, &reader);
  g_assert_cmpuint (ev->n_events, ==, 3);
  evs_test_assert_event (ev, 0, ((gint64) 0x0FFFFFFE << 6) + 63, 639, 479, 1);
  evs_test_assert_event (ev, 1, ((gint64) 0x0FFFFFFE << 6) + 1, 1, 2, 0);
  evs_test_assert_event (ev, 2, (G_GINT64_CONSTANT (1) << 34) + (2 << 6) + 7, 10, 20, 1);
  stats = evs_reader_get_stats (reader);
  g_assert_cmpuint (stats->before_time_base, ==, 1);
  g_assert_cmpuint (stats->triggers, ==, 1);
  g_assert_cmpuint (stats->other, ==, 2);
  g_assert_cmpuint (stats->unknown_words, ==, 1);
  /* the base class counts the backwards step */
  g_assert_cmpuint (stats->non_monotonic, ==, 1);
  g_assert_cmpint (evs_reader_get_info (reader)->time_shift_us, ==, (gint64) 0x0FFFFFFE << 6);
  raw_file_clear (&f);
}

/* The decoder's own chunk facts (EVT 2.0 vector path) agree with the
 * base class validation: out-of-range events dropped, backward steps
 * counted, across block and chunk boundaries. */
static void
test_evt2_validation (void)
{
  for (guint capacity = 64; capacity <= 4096; capacity *= 4)
    {
      RawFile f;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsReader) reader = NULL;
      g_autoptr(EvsEventChunk) all = NULL;
      g_autoptr(EvsEventChunk) expected = evs_event_chunk_new (1000);
      guint64 backwards = 0;

      raw_file_init (&f, "% format EVT2;width=640;height=480\n% end\n");
      put32 (&f, 0x80000000u | 100);
      for (guint j = 0; j < 1000; j++)
        {
          guint ts = (j * 7) % 64;
          guint x = j % 97 == 20 ? 700 : j % 640;
          guint y = j % 89 == 33 ? 500 : j % 480;

          if (j == 500)
            put32 (&f, 0x80000000u | 101);
          put32 (&f, (j & 1u) << 28 | ts << 22 | x << 11 | y);
          if (x < 640 && y < 480)
            {
              gint64 t = (j < 500 ? 100 * 64 : 101 * 64) + ts;

              if (expected->n_events > 0 && t < expected->t[expected->n_events - 1])
                backwards++;
              evs_event_chunk_push (expected, t, x, y, j & 1);
            }
        }
      path = raw_file_write (&f);
      reader = evs_reader_open (path, &error);
      g_assert_no_error (error);
      all = evs_test_read_reader (reader, capacity, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (all->n_events, ==, expected->n_events);
      evs_test_assert_chunks_equal (all, 0, expected, 0, expected->n_events);
      g_assert_cmpuint (evs_reader_get_stats (reader)->out_of_range, ==, 1000 - expected->n_events);
      g_assert_cmpuint (evs_reader_get_stats (reader)->non_monotonic, ==, backwards);
      raw_file_clear (&f);
    }
}

/* EVT 2.1 in both byte orders */
static void
test_evt21_byte_orders (void)
{
  static const guint8 legacy_example[8] = { 4, 3, 2, 1, 8, 7, 6, 5 };
  static const guint8 little_example[8] = { 8, 7, 6, 5, 4, 3, 2, 1 };
  static const struct
  {
    const char *header;
    gboolean    legacy;
  } cases[] = {
    { "% format EVT21;endianness=little;width=640;height=480\n% end\n", FALSE },
    { "% format EVT21;endianness=legacy;width=640;height=480\n% end\n", TRUE },
    { "% format EVT21;width=640;height=480\n% endianness little\n% end\n", FALSE },
    /* No system_ID: OpenEB decodes this as legacy */
    { "% format EVT21;width=640;height=480\n% end\n", TRUE },
    { "% format EVT21;width=640;height=480\n% system_ID 49\n% end\n", TRUE },
    { "% format EVT21;width=640;height=480\n% system_ID 64\n% end\n", FALSE },
    { "% format EVT21;width=640;height=480\n% integrator_name Someone\n% end\n", FALSE },
  };
  guint8 b[8];

  /* The docs' example: 0x0102030405060708 */
  encode_evt21 (G_GUINT64_CONSTANT (0x0102030405060708), TRUE, b);
  g_assert_cmpmem (b, 8, legacy_example, 8);
  encode_evt21 (G_GUINT64_CONSTANT (0x0102030405060708), FALSE, b);
  g_assert_cmpmem (b, 8, little_example, 8);

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      RawFile f;
      g_autoptr(EvsEventChunk) ev = NULL;
      g_autoptr(EvsReader) reader = NULL;
      gboolean legacy = cases[k].legacy;
      const EvsRecordingInfo *info;
      guint64 hi;

      raw_file_init (&f, cases[k].header);
      put64 (&f, (guint64) ((1u << 28) | 1) << 32 | 0xFF, legacy);  /* before TIME_HIGH */
      put64 (&f, (guint64) (0x80000000u | 1000) << 32, legacy);
      hi = (1u << 28) | (5u << 22) | (32u << 11) | 7;
      put64 (&f, hi << 32 | 0x80000005u, legacy);
      hi = (0u << 28) | (6u << 22) | (608u << 11) | 479;
      put64 (&f, hi << 32 | 0x00000001u, legacy);
      put64 (&f, (guint64) (0xA0000000u) << 32, legacy);
      put64 (&f, (guint64) (0xE0000000u) << 32 | 0x1234, legacy);
      put64 (&f, (guint64) (0x80000000u | 1001) << 32, legacy);
      hi = (1u << 28) | (0u << 22) | (0u << 11) | 0;
      put64 (&f, hi << 32 | 0xFFFFFFFFu, legacy);
      ev = read_file (&f, &reader);
      info = evs_reader_get_info (reader);
      g_assert_cmpint (info->format, ==, EVS_FORMAT_EVT21);
      g_assert_nonnull (strstr (info->detail, legacy ? "legacy" : "little"));
      g_assert_cmpuint (ev->n_events, ==, 4 + 32);
      evs_test_assert_event (ev, 0, 1000 * 64 + 5, 32, 7, 1);
      evs_test_assert_event (ev, 1, 1000 * 64 + 5, 34, 7, 1);
      evs_test_assert_event (ev, 2, 1000 * 64 + 5, 63, 7, 1);
      evs_test_assert_event (ev, 3, 1000 * 64 + 6, 608, 479, 0);
      for (guint i = 0; i < 32; i++)
        evs_test_assert_event (ev, 4 + i, 1001 * 64, i, 0, 1);
      g_assert_cmpuint (evs_reader_get_stats (reader)->before_time_base, ==, 8);
      g_assert_cmpuint (evs_reader_get_stats (reader)->triggers, ==, 1);
      g_assert_cmpuint (evs_reader_get_stats (reader)->other, ==, 1);
      g_assert_cmpint (info->time_shift_us, ==, 1000 * 64);
      raw_file_clear (&f);
    }
}

/* Headers (FORMATS.md §1.1 variants (a)–(e)) and their errors ----------- */

static void
test_headers (void)
{
  static const struct
  {
    const char *header;
    EvsFormat   format;
    guint       width, height;
    const char *detail;
  } cases[] = {
    { "% camera_integrator_name Prophesee\n% date 2023-03-29 16:37:46\n% evt 3.0\n"
      "% format EVT3;height=720;width=1280\n% generation 4.2\n% geometry 1280x720\n"
      "% integrator_name Prophesee\n% plugin_integrator_name Prophesee\n"
      "% plugin_name hal_plugin_imx636_evk4\n% sensor_generation 4.2\n"
      "% serial_number 00ca0009\n% system_ID 49\n% end\n",
      EVS_FORMAT_EVT3, 1280, 720, "EVT 3.0" },
    { "% Date 2020-09-25 07:48:29\n% evt 3.0\n% firmware_version 3.2.3\n"
      "% integrator_name Prophesee\n% plugin_name hal_plugin_gen41_evk3\n"
      "% serial_number 00000307\n% system_ID 48\n",
      EVS_FORMAT_EVT3, 1280, 720, "geometry from system_ID 48" },
    { "% Date 2020-09-14 09:03:25\n% firmware_version 2.0.2\n% integrator_name Prophesee\n"
      "% plugin_name hal_plugin_gen3_fx3\n% serial_number 30384338\n% system_ID 21\n% evt 2.0\n",
      EVS_FORMAT_EVT2, 640, 480, "geometry from system_ID 21" },
    { "% date 2024-01-01 00:00:00\n% format EVT2;width=640;height=480\n"
      "% integrator_name Prophesee\n% end\n",
      EVS_FORMAT_EVT2, 640, 480, "EVT 2.0" },
    { "% format EVT3\n% geometry 1280x720\n% end\n", EVS_FORMAT_EVT3, 1280, 720, "EVT 3.0" },
    { "% format EVT21\n% geometry 1792x1792\n% end\n", EVS_FORMAT_EVT21, 1792, 1792, "legacy" },
    { "% format EVT3;width=1920;height=1200\n% end\n", EVS_FORMAT_EVT3, 1920, 1200, "EVT 3.0" },
    /* The system's default format; hex options as strtol reads them */
    { "% system_ID 40\n", EVS_FORMAT_EVT3, 640, 480, "system_ID 40" },
    { "% format EVT3;width=0x500;height=720\n% end\n", EVS_FORMAT_EVT3, 1280, 720, "EVT 3.0" },
    { "% format EVT2\n% system_ID 26\n% end\n", EVS_FORMAT_EVT2, 1280, 720, "system_ID 26" },
  };
  static const struct
  {
    const char *header;
    int         code;
    const char *message;
  } errors[] = {
    { "% evt 3.0\n% system_ID 4242\n% end\n", EVS_ERROR_UNSUPPORTED, "4242" },
    { "% evt 3.0\n% end\n", EVS_ERROR_UNSUPPORTED, "system_ID" },
    { "% evt 3.0\n% integrator_name Someone\n% system_ID 48\n% end\n", EVS_ERROR_UNSUPPORTED, "format" },
    { "% format EVT3;width=1280;height=720\n% geometry 640x480\n% end\n", EVS_ERROR_CORRUPT, "640x480" },
    { "% format EVT4;width=1280;height=720\n% end\n", EVS_ERROR_UNSUPPORTED, "EVT4" },
    { "% format HISTO3D;width=1280;height=720\n% end\n", EVS_ERROR_UNSUPPORTED, "HISTO3D" },
    { "% format EVT3\n% end\n", EVS_ERROR_CORRUPT, "size" },
    { "% format EVT3;width=4096;height=720\n% end\n", EVS_ERROR_CORRUPT, "width" },
    { "% format EVT3\n% geometry 12x\n% end\n", EVS_ERROR_CORRUPT, "12x" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      RawFile f;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsReader) reader = NULL;
      const EvsRecordingInfo *info;

      raw_file_init (&f, cases[k].header);
      path = raw_file_write (&f);
      reader = evs_reader_open (path, &error);
      g_assert_no_error (error);
      info = evs_reader_get_info (reader);
      g_assert_cmpint (info->format, ==, cases[k].format);
      g_assert_cmpuint (info->width, ==, cases[k].width);
      g_assert_cmpuint (info->height, ==, cases[k].height);
      g_assert_true (info->geometry_known);
      g_assert_nonnull (strstr (info->detail, cases[k].detail));
      raw_file_clear (&f);
    }

  for (guint k = 0; k < G_N_ELEMENTS (errors); k++)
    {
      RawFile f;
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsReader) reader = NULL;

      raw_file_init (&f, errors[k].header);
      put16 (&f, TH (1));
      path = raw_file_write (&f);
      reader = evs_reader_open (path, &error);
      g_assert_null (reader);
      g_assert_error (error, EVS_ERROR, errors[k].code);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, errors[k].message));
      raw_file_clear (&f);
    }
}

/* A trailing partial word: the events before it, then an error at its byte */
static void
test_truncated (void)
{
  RawFile f;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (64);
  g_autofree char *where = NULL;
  guint64 end;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (1));
  put16 (&f, Y (2));
  put16 (&f, X (3, 1));
  put16 (&f, X (4, 1));
  end = f.bytes->len;
  g_byte_array_append (f.bytes, (const guint8 *) "\x20", 1);
  path = raw_file_write (&f);

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_reader_read (reader, chunk, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chunk->n_events, ==, 2);
  g_assert_false (evs_reader_read (reader, chunk, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_TRUNCATED);
  where = g_strdup_printf ("byte %" G_GUINT64_FORMAT, end);
  g_assert_nonnull (strstr (error->message, where));
  raw_file_clear (&f);
}

/* Round trips --------------------------------------------------------------- */

/* Random time-sorted events: noise, same-timestamp bursts along rows (some
 * at the right edge), and gaps that cross the formats' time loops. */
static void
generate_events (EvsEventChunk *events,
                 guint          n,
                 guint          width,
                 guint          height,
                 gint64         t0,
                 gint64         big_gap,
                 guint32        seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  gint64 t = t0;

  evs_event_chunk_reserve (events, n);
  while (events->n_events < n)
    {
      guint kind = g_rand_int_range (rand, 0, 100);

      if (kind < 2)
        t += big_gap + g_rand_int_range (rand, 0, 5000);
      else
        t += g_rand_int_range (rand, 0, 3) == 0 ? g_rand_int_range (rand, 0, 200) : 0;

      if (kind < 30)
        {
          /* A burst on one row: increasing x with random holes */
          guint y = g_rand_int_range (rand, 0, height);
          guint x = kind < 10 ? width - g_rand_int_range (rand, 1, 40) : g_rand_int_range (rand, 0, width);
          guint8 p = g_rand_int_range (rand, 0, 2);

          for (; x < width && events->n_events < n; x += g_rand_int_range (rand, 1, 4))
            {
              evs_event_chunk_push (events, t, x, y, p);
              if (g_rand_int_range (rand, 0, 40) == 0)
                break;
            }
        }
      else
        evs_event_chunk_push (events, t, g_rand_int_range (rand, 0, width),
                              g_rand_int_range (rand, 0, height), g_rand_int_range (rand, 0, 2));
    }
}

static char *
write_events (const char          *dir,
              EvsFormat            format,
              const EvsEventChunk *events,
              guint                width,
              guint                height,
              gsize                piece)
{
  g_autofree char *name = g_strdup_printf ("out-%s.raw", evs_format_to_string (format));
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsWriter) writer = NULL;
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (piece);
  const char *comments[] = { "evscope_source in.raw", "end of the world", "format EVT4", NULL };

  info->width = width;
  info->height = height;
  info->geometry_known = TRUE;
  writer = evs_writer_new (format, path, &error);
  g_assert_no_error (error);
  g_assert_true (evs_writer_begin (writer, info, comments, &error));
  g_assert_no_error (error);
  for (gsize at = 0; at < events->n_events; at += piece)
    {
      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, events, at, MIN (piece, events->n_events - at));
      g_assert_true (evs_writer_write (writer, part, &error));
      g_assert_no_error (error);
    }
  g_assert_true (evs_writer_finish (writer, &error));
  g_assert_no_error (error);
  return path;
}

static void
test_round_trip (gconstpointer data)
{
  EvsFormat format = GPOINTER_TO_INT (data);
  g_autofree char *dir = evs_test_make_tmp_dir ();
  static const struct
  {
    guint width, height;
  } sizes[] = { { 1280, 720 }, { 1000, 501 }, { 20, 10 }, { 2048, 2048 }, { 640, 480 }, { 346, 260 } };

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autoptr(EvsEventChunk) events = evs_event_chunk_new (1024);
      g_autoptr(EvsEventChunk) back = NULL;
      g_autoptr(EvsReader) reader = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      g_autofree char *expected_format = NULL;
      const EvsRecordingInfo *info;
      guint width = sizes[k].width, height = sizes[k].height;
      /* Start near the end of the first loop so that loops are crossed */
      gint64 t0 = format == EVS_FORMAT_EVT3 ? 16777216 - 300000 : (G_GINT64_CONSTANT (1) << 34) - 3000000;
      gint64 gap = format == EVS_FORMAT_EVT3 ? 9000000 : 200000;

      /* A first event many loops in: the writer walks the loops from 0 */
      if (k == 4)
        t0 = format == EVS_FORMAT_EVT3 ? G_GINT64_CONSTANT (3600000000) : G_GINT64_CONSTANT (3) << 34;
      /* Unix epoch µs (AEDAT 4): stored relative to a stated origin */
      if (k == 5)
        t0 = G_GINT64_CONSTANT (1633953690975950);

      generate_events (events, 200000, width, height, t0, gap, 11 + k);
      path = write_events (dir, format, events, width, height, 9973);

      reader = evs_reader_open (path, &error);
      g_assert_no_error (error);
      info = evs_reader_get_info (reader);
      g_assert_cmpint (info->format, ==, format);
      g_assert_cmpuint (info->width, ==, width);
      g_assert_cmpuint (info->height, ==, height);
      g_assert_cmpstr (evs_recording_info_lookup (info, "evscope_source"), ==, "in.raw");
      g_assert_cmpstr (evs_recording_info_lookup (info, "comment_end"), ==, "of the world");
      g_assert_cmpstr (evs_recording_info_lookup (info, "comment_format"), ==, "EVT4");
      g_assert_cmpstr (evs_recording_info_lookup (info, "camera_integrator_name"), ==, "Evscope");
      g_assert_nonnull (evs_recording_info_lookup (info, "date"));
      g_assert_true ((evs_recording_info_lookup (info, "evscope_time_origin_us") != NULL) == (k == 5));
      if (format == EVS_FORMAT_EVT21)
        expected_format = g_strdup_printf ("EVT21;endianness=little;height=%u;width=%u", height, width);
      else
        expected_format = g_strdup_printf ("%s;height=%u;width=%u",
                                           format == EVS_FORMAT_EVT2 ? "EVT2" : "EVT3", height, width);
      g_assert_cmpstr (evs_recording_info_lookup (info, "format"), ==, expected_format);

      back = evs_test_read_reader (reader, 777, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (back->n_events, ==, events->n_events);
      evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
      g_assert_cmpint (back->t[back->n_events - 1] - t0, >, 2 * gap);
      g_assert_cmpuint (evs_reader_get_stats (reader)->non_monotonic, ==, 0);
      g_assert_cmpuint (evs_reader_get_stats (reader)->out_of_range, ==, 0);

      if (k == 0)
        evs_test_check_seek (path, 20);
    }

  evs_test_remove_tree (dir);
}

/* EVT 3.0 output uses vectors for bursts and stays small */
static void
test_evt3_vector_output (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (2048);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const char *payload;

  /* 64 full rows of 32 events at the right edge of a 1000-wide sensor */
  for (guint y = 0; y < 64; y++)
    for (guint x = 1000 - 32; x < 1000; x++)
      evs_event_chunk_push (events, 5000 + y, x, y, y & 1);
  path = write_events (dir, EVS_FORMAT_EVT3, events, 1000, 100, 4096);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  payload = strstr (contents, "% end\n") + 6;
  /* per row: TIME_LOW, ADDR_Y, VECT_BASE_X, 2 × VECT_12, VECT_8 (+ first TIME_HIGH) */
  g_assert_cmpuint (len - (gsize) (payload - contents), ==, 2 * (1 + 64 * 6));
  back = evs_test_read_all (path, 100, &error);
  g_assert_no_error (error);
  evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
  evs_test_remove_tree (dir);
}

/* Short bursts: vector words only where they save words, VECT_8 for a
 * short tail, VECT_BASE_X left out where the previous vectors ended */
static void
test_evt3_vector_words (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (64);
  g_autoptr(EvsEventChunk) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  const guint8 *payload;
  static const guint16 expected[] = {
    0x8000,                 /* TIME_HIGH 0 */
    0x6064, 0x0001,         /* TIME_LOW 100, ADDR_Y 1 */
    0x380A, 0x4FFF,         /* VECT_BASE_X 10 ON, VECT_12 x 10–21 */
    0x6065, 0x5003,         /* TIME_LOW 101, VECT_8 x 22–23 (base kept) */
    0x6066, 0x2032, 0x2033, /* TIME_LOW 102, two ADDR_X OFF x 50, 51 */
    0x202D,                 /* ADDR_X OFF x 45 */
    0x6067, 0x3028, 0x4801, 0x4600, /* TIME_LOW 103, base 40 OFF, 2 × VECT_12 */
  };

  for (guint x = 10; x < 22; x++)
    evs_event_chunk_push (events, 100, x, 1, 1);
  evs_event_chunk_push (events, 101, 22, 1, 1);
  evs_event_chunk_push (events, 101, 23, 1, 1);
  /* two events: BASE_X + VECT_8 would not be shorter */
  evs_event_chunk_push (events, 102, 50, 1, 0);
  evs_event_chunk_push (events, 102, 51, 1, 0);
  /* left of the last one: not part of the burst */
  evs_event_chunk_push (events, 102, 45, 1, 0);
  /* four events over 23 columns: VECT_BASE_X + 2 × VECT_12 */
  evs_event_chunk_push (events, 103, 40, 1, 0);
  evs_event_chunk_push (events, 103, 51, 1, 0);
  evs_event_chunk_push (events, 103, 61, 1, 0);
  evs_event_chunk_push (events, 103, 62, 1, 0);
  path = write_events (dir, EVS_FORMAT_EVT3, events, 100, 10, 64);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  payload = (const guint8 *) strstr (contents, "% end\n") + 6;
  g_assert_cmpuint (len - (gsize) ((const char *) payload - contents), ==, sizeof expected);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmphex (payload[2 * i] | payload[2 * i + 1] << 8, ==, expected[i]);
  back = evs_test_read_all (path, 16, &error);
  g_assert_no_error (error);
  evs_test_assert_chunks_equal (back, 0, events, 0, events->n_events);
  evs_test_remove_tree (dir);
}

/* SHA-256 of the payload (the bytes after "% end\n"; the header holds a
 * date) of @events written as @format in pieces of @piece events */
static char *
payload_sha256 (EvsFormat            format,
                const EvsEventChunk *events,
                guint                width,
                guint                height,
                gsize                piece)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = write_events (dir, format, events, width, height, piece);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *payload;
  char *sum;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  payload = strstr (contents, "% end\n");
  g_assert_nonnull (payload);
  payload += 6;
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) payload,
                                     len - (gsize) (payload - contents));
  evs_test_remove_tree (dir);
  return sum;
}

/* The writers' exact output bytes, pinned: SHA-256 sums of the payloads the
 * writers produced for these streams before they were optimised.  Any change
 * of the encoding (which words, in which order) fails here; a deliberate one
 * must update the sums. */
static void
test_writer_pinned_bytes (void)
{
  static const struct
  {
    EvsFormat   format;
    guint       width, height;
    gint64      t0, gap;     /* generate_events (); t0 < 0: the synthesiser */
    guint32     seed;
    gsize       piece;
    const char *sha256;
  } cases[] = {
    /* noise and bursts, crossing loops */
    { EVS_FORMAT_EVT3, 1280, 720, 16777216 - 300000, 9000000, 11, 9973,
      "38457a7dc681f8e9977b87b2d7fdc4d1ac763da833951256a179aa3c8e229106" },
    /* tiny sensor: most bursts reach the right edge */
    { EVS_FORMAT_EVT3, 20, 10, 16777216 - 300000, 9000000, 13, 64,
      "65665614521234192b20a63d60e2803550079cecf6aab8fa8197eafe25258e1e" },
    { EVS_FORMAT_EVT3, 2048, 2048, 1000, 4000000, 14, 65536,
      "ebe4d0c3a3db5b1e58372fa44c34f9cd7384f08e60fe953735c38a80df229c85" },
    /* first event many loops in */
    { EVS_FORMAT_EVT3, 640, 480, G_GINT64_CONSTANT (3600000000), 9000000, 15, 777,
      "4d5887f07f713cb6b9bd3607830b1fbe4bd188bb52dd9b713bb81c591d7b1be3" },
    /* Unix epoch µs: written relative to a stated origin */
    { EVS_FORMAT_EVT3, 346, 260, G_GINT64_CONSTANT (1633953690975950), 9000000, 16, 4096,
      "b5424b8198f9257ace2b91b60ced4ba32d3ce784961ec264ba07c5c953f1b33a" },
    /* the synthesiser's moving edges, noise and hot pixels */
    { EVS_FORMAT_EVT3, 640, 480, -1, 0, 7, 65536,
      "8439e1791d875f7af961db2b92b6761cf0383610538f643f9c73d3042f8a6ec7" },
    { EVS_FORMAT_EVT3, 1280, 720, -1, 0, 8, 1000,
      "49501b1a451a40499c397b46d15d80fb978b0f36edf7bd9bef0f9b6718377f14" },
    { EVS_FORMAT_EVT2, 1280, 720, (G_GINT64_CONSTANT (1) << 34) - 3000000, 200000, 17, 9973,
      "d09b7126f8fb57659432792139e2da081ce911e8c9d9e75472f1acbc535b9115" },
    { EVS_FORMAT_EVT2, 640, 480, G_GINT64_CONSTANT (3) << 34, 200000, 18, 777,
      "f4a030f17e8bb00f0670c8b62226dd93028e2543761ec828cf09f7386e8850dc" },
    { EVS_FORMAT_EVT2, 640, 480, -1, 0, 9, 65536,
      "c1230d5d0fdf9e3f0bdb15ae06c891a7e1640d31d469091abb0952a6d4f9a700" },
    { EVS_FORMAT_EVT21, 1280, 720, (G_GINT64_CONSTANT (1) << 34) - 3000000, 200000, 19, 9973,
      "a1f0c4d4f6e62e1031411b7aaba67aae79c96d77d162174fe31789a447d009a5" },
    { EVS_FORMAT_EVT21, 640, 480, -1, 0, 10, 65536,
      "981d37145a915ff08c62cbb414946da45e7d3a259ff083c17ca3451d15f9dfbe" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(EvsEventChunk) events = evs_event_chunk_new (1024);
      g_autofree char *sum = NULL;

      if (cases[k].t0 >= 0)
        generate_events (events, 200000, cases[k].width, cases[k].height, cases[k].t0,
                         cases[k].gap, cases[k].seed);
      else
        {
          EvsSynthParams params;
          g_autoptr(EvsSynth) synth = NULL;
          g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);
          g_autoptr(GError) error = NULL;

          evs_synth_params_init (&params);
          params.width = cases[k].width;
          params.height = cases[k].height;
          params.duration_us = 150000;
          params.seed = cases[k].seed;
          params.noise_hz = 1.0;
          params.hot_rate_hz = 1000;
          synth = evs_synth_new (&params, &error);
          g_assert_no_error (error);
          while (evs_synth_fill (synth, chunk, NULL) > 0)
            {
              evs_event_chunk_append_range (events, chunk, 0, chunk->n_events);
              evs_event_chunk_clear (chunk);
            }
          g_assert_cmpuint (events->n_events, >, 100000);
        }

      sum = payload_sha256 (cases[k].format, events, cases[k].width, cases[k].height,
                            cases[k].piece);
      g_test_message ("case %u (%s, %" G_GSIZE_FORMAT " events): %s", k,
                      evs_format_to_string (cases[k].format), events->n_events, sum);
      g_assert_cmpstr (sum, ==, cases[k].sha256);
    }
}

/* The EVT 3.0 decoding rules of FORMATS.md §1.4, one word at a time, with
 * the base reader's validation (events outside 1280 × 720 dropped) */
static void
evt3_reference (const guint16 *words,
                gsize          n,
                EvsEventChunk *out,
                guint64       *backwards,
                guint64       *out_of_range)
{
  gboolean have_th = FALSE, row_valid = FALSE;
  guint32 th = 0, tl = 0, y = 0, base_x = 0, vpol = 0;
  guint64 loops = 0;

  *backwards = *out_of_range = 0;
  for (gsize i = 0; i < n; i++)
    {
      guint32 w = words[i], c = w & 0xFFF;
      gint64 t;
      guint32 bits = 0, mask = 0;

      if (!have_th)
        {
          if (w >> 12 == 0x8)
            {
              have_th = TRUE;
              th = c;
              tl = 0;
            }
          continue;
        }
      switch (w >> 12)
        {
        case 0x8:
          if (th >= 2048 + c)
            loops++;
          if (c != th)
            tl = 0;
          th = c;
          break;
        case 0x6:
          tl = c;
          break;
        case 0x0:
          y = c & 0x7FF;
          row_valid = c < 720;
          break;
        case 0x1:
          row_valid = FALSE;
          break;
        case 0x2:
          mask = 1;
          bits = 0;
          break;
        case 0x3:
          base_x = c & 0x7FF;
          vpol = (c >> 11) & 1;
          break;
        case 0x4:
          mask = c;
          bits = 12;
          break;
        case 0x5:
          mask = c & 0xFF;
          bits = 8;
          break;
        default:
          break;
        }
      t = (gint64) (loops << 24) + ((gint64) th << 12) + tl;
      for (guint b = 0; row_valid && b < MAX (bits, 1); b++)
        {
          guint32 x = bits == 0 ? c & 0x7FF : base_x + b;
          guint32 p = bits == 0 ? (c >> 11) & 1 : vpol;

          if (((mask >> b) & 1) == 0)
            continue;
          if (x >= 1280 || y >= 720)
            {
              (*out_of_range)++;
              continue;
            }
          if (out->n_events > 0 && t < out->t[out->n_events - 1])
            (*backwards)++;
          evs_event_chunk_push (out, t, (guint16) x, (guint16) y, (guint8) p);
        }
      if (bits > 0)
        base_x = MIN (base_x + bits, 0x8000);
    }
}

/* Random word streams, mostly ADDR_Y / ADDR_X / TIME_LOW runs as in sensor
 * data, with every other type, invalid rows, time going back and loops:
 * the reader (in all its fast paths, at several chunk sizes) against the
 * reference above. */
static void
test_evt3_random (void)
{
  static const gsize capacities[] = { 64, 777, 65536 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261121);

  for (guint round = 0; round < 30; round++)
    {
      /* rounds 12…23: mostly vectors, near and past the right edge, with
       * long runs that push base_x to its cap; rounds 24…: long runs of
       * ADDR_Y, ADDR_X and TIME_LOW (the decoder's AVX-512 blocks) */
      gboolean vectors = round >= 12 && round < 24;
      gboolean long_runs = round >= 24;
      RawFile f;
      g_autofree char *path = NULL;
      g_autoptr(GArray) words = g_array_new (FALSE, FALSE, sizeof (guint16));
      gsize n_words = (gsize) g_rand_int_range (rand, 1000, 60000);
      /* at most 12 events per word */
      g_autoptr(EvsEventChunk) expected = evs_event_chunk_new (12 * (n_words + 4));
      guint64 backwards, out_of_range;
      guint32 th = (guint32) g_rand_int_range (rand, 0, 4096);
      /* how often the rarer words come, per 1000 words */
      guint32 rare = long_runs ? 2 : round % 3 == 0 ? 5 : round % 3 == 1 ? 60 : 400;
      guint32 tl = 0;

      raw_file_init (&f, EVT3_HEADER);
      if (round % 4 != 3)
        {
          guint16 w = (guint16) TH (th);

          g_array_append_val (words, w);
        }
      while (words->len < n_words)
        {
          guint32 r = (guint32) g_rand_int_range (rand, 0, 1000);
          guint16 w;

          if (vectors && r >= rare)
            {
              guint32 v = (guint32) g_rand_int_range (rand, 0, 4000);

              if (v < 2)
                {
                  /* base_x runs to its cap and stays there */
                  for (guint j = MIN ((guint) g_rand_int_range (rand, 100, 3500), n_words - words->len);
                       j > 0; j--)
                    {
                      w = (guint16) (v == 0 ? V12 (g_rand_int_range (rand, 0, 4096))
                                     : V8 (g_rand_int_range (rand, 0, 256)));
                      g_array_append_val (words, w);
                    }
                  continue;
                }
              v %= 1000;
              if (v < 250)
                w = (guint16) VB (v < 150 ? g_rand_int_range (rand, 1200, 1300)
                                  : g_rand_int_range (rand, 0, 2048), v & 1);
              else if (v < 550)
                w = (guint16) V12 (g_rand_int_range (rand, 0, 4096));
              else if (v < 680)
                w = (guint16) V8 (g_rand_int_range (rand, 0, 256));
              else if (v < 800)
                w = (guint16) Y (v < 790 ? g_rand_int_range (rand, 0, 720) : g_rand_int_range (rand, 0, 4096));
              else if (v < 900)
                w = (guint16) X (g_rand_int_range (rand, 0, v < 880 ? 1280 : 2048), v & 1);
              else
                {
                  /* time mostly on, sometimes back */
                  tl = v < 990 ? MIN (tl + (guint32) g_rand_int_range (rand, 0, 40), 4095)
                               : (guint32) g_rand_int_range (rand, 0, 4096);
                  w = (guint16) TL (tl);
                }
              g_array_append_val (words, w);
              continue;
            }
          if (r < rare)
            {
              switch (g_rand_int_range (rand, 0, 12))
                {
                case 0: /* a sensor vector group */
                  {
                    guint16 group[4] = { (guint16) VB (g_rand_int_range (rand, 0, 1300), g_rand_int_range (rand, 0, 2)),
                                         (guint16) V12 (g_rand_int_range (rand, 0, 4096)),
                                         (guint16) V12 (g_rand_int_range (rand, 0, 4096)),
                                         (guint16) V8 (g_rand_int_range (rand, 0, 256)) };

                    g_array_append_vals (words, group, 4);
                    continue;
                  }
                case 1: /* time goes on, repeats or jumps back (a loop) */
                  {
                    guint32 step = g_rand_int_range (rand, 0, 4) == 0 ? (guint32) g_rand_int_range (rand, 0, 4096) : (guint32) g_rand_int_range (rand, 0, 2);

                    th = (th + step) & 0xFFF;
                    w = (guint16) TH (th);
                    break;
                  }
                case 2:
                  w = (guint16) (0x1000 | g_rand_int_range (rand, 0, 4096));
                  break;
                default:
                  w = (guint16) g_rand_int_range (rand, 0, 65536);
                  break;
                }
            }
          else if (r < 600)
            w = (guint16) X (g_rand_int_range (rand, 0, r < 590 ? 1280 : 2048), g_rand_int_range (rand, 0, 2));
          else if (r < 850)
            {
              guint32 y = r < 840 ? (guint32) g_rand_int_range (rand, 0, 720) : (guint32) g_rand_int_range (rand, 0, 4096);

              w = (guint16) Y (y);
            }
          else if (r < (long_runs ? 998u : 950u))
            w = (guint16) TL (g_rand_int_range (rand, 0, 4096));
          else
            w = (guint16) (r < 970 ? VB (g_rand_int_range (rand, 0, 2048), r & 1)
                           : r < 990 ? V12 (g_rand_int_range (rand, 0, 4096))
                           : V8 (g_rand_int_range (rand, 0, 256)));
          g_array_append_val (words, w);
        }
      for (guint i = 0; i < words->len; i++)
        put16 (&f, g_array_index (words, guint16, i));
      path = raw_file_write (&f);
      evt3_reference ((const guint16 *) words->data, words->len, expected, &backwards,
                      &out_of_range);

      for (guint c = 0; c < G_N_ELEMENTS (capacities); c++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(EvsReader) reader = evs_reader_open (path, &error);
          g_autoptr(EvsEventChunk) got = NULL;
          const EvsReaderStats *stats;

          g_assert_no_error (error);
          got = evs_test_read_reader (reader, capacities[c], &error);
          g_assert_no_error (error);
          g_assert_cmpuint (got->n_events, ==, expected->n_events);
          evs_test_assert_chunks_equal (got, 0, expected, 0, expected->n_events);
          stats = evs_reader_get_stats (reader);
          g_assert_cmpuint (stats->out_of_range, ==, out_of_range);
          g_assert_cmpuint (stats->non_monotonic, ==, backwards);
          check_scan_chunks (path, capacities[c]);
        }
      check_index_scan (path);
      if (round % 4 == 1)
        {
          /* ends inside a word: the same events, then the same error */
          g_autofree char *cut = g_build_filename (f.dir, "cut.raw", NULL);

          g_assert_true (g_file_set_contents (cut, (const char *) f.bytes->data,
                                              f.bytes->len - 2 * (words->len / 3) - 1, NULL));
          check_index_scan (cut);
          check_scan_chunks (cut, 777);
        }
      g_test_message ("round %u: %u words, %" G_GSIZE_FORMAT " events", round, words->len,
                      expected->n_events);
      raw_file_clear (&f);
    }
}

/* On this machine the index is built by counting when AVX-512 (with VBMI2
 * and BITALG) is there and not disabled; by decoding otherwise */
static void
test_evt3_index_scan_used (void)
{
  RawFile f;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = NULL;
  EvsScanFacts facts;
  gboolean expected = FALSE;
  int r;

  raw_file_init (&f, EVT3_HEADER);
  put16 (&f, TH (5));
  put16 (&f, Y (7));
  put16 (&f, X (9, 1));
  path = raw_file_write (&f);
  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);

#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init ();
  expected = __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw")
             && __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512vbmi")
             && __builtin_cpu_supports ("avx512vbmi2") && __builtin_cpu_supports ("avx512bitalg")
             && __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("popcnt")
             && __builtin_cpu_supports ("bmi") && __builtin_cpu_supports ("bmi2")
             && g_getenv ("EVS_DISABLE_AVX2") == NULL && g_getenv ("EVS_DISABLE_AVX512") == NULL;
#endif
  g_test_message ("index scan expected: %s", expected ? "yes" : "no");
  r = _evs_reader_scan (reader, EVS_CHUNK_DEFAULT_CAPACITY, &facts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (r, ==, expected ? 1 : 0);
  if (expected)
    {
      g_assert_cmpuint (facts.n_events, ==, 1);
      g_assert_cmpuint (facts.n_on, ==, 1);
      g_assert_cmpuint (facts.max_x, ==, 9);
      g_assert_cmpuint (facts.max_y, ==, 7);
      g_assert_cmpint (facts.t_first, ==, 5 << 12);
      g_assert_cmpint (facts.t_max, ==, 5 << 12);
      r = _evs_reader_scan (reader, EVS_CHUNK_DEFAULT_CAPACITY, &facts, &error);
      g_assert_cmpint (r, ==, 1);
      g_assert_cmpuint (facts.n_events, ==, 0);
    }
  raw_file_clear (&f);
}

/* Runs of vector words push base_x to its cap: the scan must stop there
 * too (the counts cannot tell, all events are out of range, so the
 * decoder state after the last block is compared: a whole number of
 * 32-word blocks follows the first TIME_HIGH) */
static void
test_evt3_scan_base_x_cap (void)
{
  for (guint mask = 0; mask <= 0xFFF; mask += 0xFFF)
    {
      RawFile f;
      g_autofree char *path = NULL;

      raw_file_init (&f, EVT3_HEADER);
      put16 (&f, TH (1));
      put16 (&f, Y (3));
      put16 (&f, VB (0, 1));
      for (guint i = 0; i < 32 * 100 - 2; i++)
        put16 (&f, V12 (mask));
      path = raw_file_write (&f);
      check_scan_chunks (path, EVS_CHUNK_DEFAULT_CAPACITY);
      check_scan_chunks (path, 777);
      check_index_scan (path);
      raw_file_clear (&f);
    }
}

/* The index scan of a file whose times are relative to a stated origin
 * (written by Evscope, first event beyond a thousand loops): several
 * chunks, so that each compares with the last event of the one before */
static void
test_evt3_scan_time_origin (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (1024);
  g_autofree char *path = NULL;

  generate_events (events, 300000, 1280, 720, (G_GINT64_CONSTANT (1) << 50) + 777, 0, 7);
  path = write_events (dir, EVS_FORMAT_EVT3, events, 1280, 720, 65536);
  check_index_scan (path);
  check_scan_chunks (path, 777);
  check_scan_chunks (path, EVS_CHUNK_DEFAULT_CAPACITY);
  evs_test_remove_tree (dir);
}

/* Seeking in a larger written file: 2 M events over several EVT 3.0 loops,
 * so the index has many entries and resumes mid-loop. */
static void
test_seek_large (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (1024);
  g_autofree char *path = NULL;

  generate_events (events, 2000000, 1280, 720, 1000, 4000000, 99);
  path = write_events (dir, EVS_FORMAT_EVT3, events, 1280, 720, 65536);
  g_assert_cmpint (events->t[events->n_events - 1], >, 3 * 16777216);
  evs_test_check_seek (path, 25);
  check_index_scan (path);
  evs_test_remove_tree (dir);
}

static void
test_writer_errors (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.raw", NULL);
  g_autoptr(EvsRecordingInfo) info = evs_recording_info_new ();
  g_autoptr(EvsEventChunk) events = evs_event_chunk_new (8);
  static const EvsFormat formats[] = { EVS_FORMAT_EVT2, EVS_FORMAT_EVT21, EVS_FORMAT_EVT3 };

  info->width = 640;
  info->height = 480;

  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      for (guint c = 0; c < 5; c++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(EvsWriter) writer = evs_writer_new (formats[k], path, &error);

          g_assert_true (evs_writer_begin (writer, info, NULL, &error));
          evs_event_chunk_clear (events);
          evs_event_chunk_push (events, 10, 1, 1, 1);
          g_assert_true (evs_writer_write (writer, events, &error));
          evs_event_chunk_clear (events);
          evs_event_chunk_push (events, 11, 1, 1, 1);
          if (c == 0)
            evs_event_chunk_push (events, 9, 1, 1, 1);
          else if (c == 1)
            evs_event_chunk_push (events, 12, 640, 1, 1);
          else if (c == 2)
            evs_event_chunk_push (events, 12, 1, 480, 1);
          else if (c == 4)
            evs_event_chunk_push (events, G_MININT64, 1, 1, 1);
          else
            {
              evs_event_chunk_clear (events);
              evs_event_chunk_push (events, -1, 1, 1, 1);
            }
          g_assert_false (evs_writer_write (writer, events, &error));
          g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
          g_assert_nonnull (strstr (error->message, c == 3 ? "#1" : "#2"));
        }
    }
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A gap of 2^26 EVT 3.0 loops is refused rather than padded */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);

    g_assert_true (evs_writer_begin (writer, info, NULL, &error));
    evs_event_chunk_clear (events);
    evs_event_chunk_push (events, 0, 1, 1, 1);
    evs_event_chunk_push (events, G_GINT64_CONSTANT (1) << 50, 1, 1, 1);
    g_assert_false (evs_writer_write (writer, events, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "loops"));
  }

  /* A first event beyond a thousand loops is stored relative to a stated
   * origin (a whole number of loops): Evscope reads the exact times back */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);
    g_autoptr(EvsEventChunk) back = NULL;
    gint64 t = (G_GINT64_CONSTANT (1) << 50) + 12345;

    g_assert_true (evs_writer_begin (writer, info, NULL, &error));
    evs_event_chunk_clear (events);
    evs_event_chunk_push (events, t, 1, 1, 1);
    evs_event_chunk_push (events, t + 20000000, 2, 1, 1);
    g_assert_true (evs_writer_write (writer, events, &error));
    g_assert_true (evs_writer_finish (writer, &error));
    g_assert_no_error (error);
    back = evs_test_read_all (path, 64, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (back->n_events, ==, 2);
    evs_test_assert_event (back, 0, t, 1, 1, 1);
    evs_test_assert_event (back, 1, t + 20000000, 2, 1, 1);
    check_index_scan (path);
    check_scan_chunks (path, EVS_CHUNK_DEFAULT_CAPACITY);
    g_unlink (path);
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(EvsWriter) writer = evs_writer_new (EVS_FORMAT_EVT3, path, &error);

    info->width = 0;
    g_assert_false (evs_writer_begin (writer, info, NULL, &error));
    g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
  }

  evs_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fixtures); i++)
    {
      g_autofree char *name = g_strdup_printf ("/evs/raw/fixture/%s", fixtures[i].path);
      g_autofree char *seek = g_strdup_printf ("/evs/raw/seek/%s", fixtures[i].path);
      g_autofree char *damaged = g_strdup_printf ("/evs/raw/damaged/%s", fixtures[i].path);

      g_test_add_data_func (name, &fixtures[i], test_fixture);
      g_test_add_data_func (seek, &fixtures[i], test_fixture_seek);
      g_test_add_data_func (damaged, &fixtures[i], test_fixture_damaged);
    }
  g_test_add_func ("/evs/raw/expelliarmus-bug", test_expelliarmus_bug);
  g_test_add_func ("/evs/raw/evt3/basic", test_evt3_basic);
  g_test_add_func ("/evs/raw/evt3/before-time-high", test_evt3_before_time_high);
  g_test_add_func ("/evs/raw/evt3/time-high-jump", test_evt3_time_high_jump);
  g_test_add_func ("/evs/raw/evt3/gap-on-overflow", test_evt3_gap_on_overflow);
  g_test_add_func ("/evs/raw/evt3/vectors", test_evt3_vectors);
  g_test_add_func ("/evs/raw/evt3/state", test_evt3_state);
  g_test_add_func ("/evs/raw/evt3/loop", test_evt3_loop);
  g_test_add_func ("/evs/raw/evt2/words", test_evt2_words);
  g_test_add_func ("/evs/raw/evt2/validation", test_evt2_validation);
  g_test_add_func ("/evs/raw/evt21/byte-orders", test_evt21_byte_orders);
  g_test_add_func ("/evs/raw/headers", test_headers);
  g_test_add_func ("/evs/raw/truncated", test_truncated);
  g_test_add_data_func ("/evs/raw/round-trip/evt2", GINT_TO_POINTER (EVS_FORMAT_EVT2), test_round_trip);
  g_test_add_data_func ("/evs/raw/round-trip/evt21", GINT_TO_POINTER (EVS_FORMAT_EVT21), test_round_trip);
  g_test_add_data_func ("/evs/raw/round-trip/evt3", GINT_TO_POINTER (EVS_FORMAT_EVT3), test_round_trip);
  g_test_add_func ("/evs/raw/evt3/vector-output", test_evt3_vector_output);
  g_test_add_func ("/evs/raw/evt3/vector-words", test_evt3_vector_words);
  g_test_add_func ("/evs/raw/evt3/random", test_evt3_random);
  g_test_add_func ("/evs/raw/evt3/index-scan-used", test_evt3_index_scan_used);
  g_test_add_func ("/evs/raw/evt3/scan-base-x-cap", test_evt3_scan_base_x_cap);
  g_test_add_func ("/evs/raw/evt3/scan-time-origin", test_evt3_scan_time_origin);
  g_test_add_func ("/evs/raw/writer-pinned-bytes", test_writer_pinned_bytes);
  g_test_add_func ("/evs/raw/writer-errors", test_writer_errors);
  g_test_add_func ("/evs/raw/seek/large-written", test_seek_large);

  return g_test_run ();
}
