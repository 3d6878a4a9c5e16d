/* evs-test-utils.c
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

/**
 * evs_test_fixture:
 * @relative_path: a path below shared/fixtures/real
 *
 * Returns: (transfer full) (nullable): the fixture's path, or %NULL after
 *   g_test_skip() when the shared fixtures are not there (a user's clone)
 */
char *
evs_test_fixture (const char *relative_path)
{
  const char *dir = g_getenv ("EVS_FIXTURES_DIR");
  g_autofree char *path = NULL;

  if (dir == NULL)
    {
      g_test_skip ("EVS_FIXTURES_DIR is not set");
      return NULL;
    }

  path = g_build_filename (dir, relative_path, NULL);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *msg = g_strdup_printf ("fixture %s is absent", path);

      g_test_skip (msg);
      return NULL;
    }

  return g_steal_pointer (&path);
}

EvsEventChunk *
evs_test_read_reader (EvsReader  *reader,
                      gsize       chunk_capacity,
                      GError    **error)
{
  g_autoptr(EvsEventChunk) all = evs_event_chunk_new (1024);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (chunk_capacity);

  for (;;)
    {
      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;
      evs_event_chunk_append_range (all, chunk, 0, chunk->n_events);
    }

  return g_steal_pointer (&all);
}

/**
 * evs_test_read_all:
 *
 * Reads a whole (small) recording into one chunk.  Tests only.
 */
EvsEventChunk *
evs_test_read_all (const char  *path,
                   gsize        chunk_capacity,
                   GError     **error)
{
  g_autoptr(EvsReader) reader = evs_reader_open (path, error);

  if (reader == NULL)
    return NULL;

  return evs_test_read_reader (reader, chunk_capacity, error);
}

void
evs_test_summarize (const EvsEventChunk *events,
                    EvsTestSummary      *s)
{
  memset (s, 0, sizeof *s);
  s->t_min = G_MAXINT64;
  s->t_max = G_MININT64;
  s->x_min = s->y_min = G_MAXUINT;
  s->monotonic = TRUE;

  for (gsize i = 0; i < events->n_events; i++)
    {
      s->n_events++;
      s->n_on += events->p[i] != 0;
      s->n_off += events->p[i] == 0;
      s->t_min = MIN (s->t_min, events->t[i]);
      s->t_max = MAX (s->t_max, events->t[i]);
      s->x_min = MIN (s->x_min, events->x[i]);
      s->x_max = MAX (s->x_max, events->x[i]);
      s->y_min = MIN (s->y_min, events->y[i]);
      s->y_max = MAX (s->y_max, events->y[i]);
      s->sum_t += (guint64) events->t[i];
      s->sum_x += events->x[i];
      s->sum_y += events->y[i];
      if (i > 0 && events->t[i] < events->t[i - 1])
        s->monotonic = FALSE;
    }
}

void
evs_test_assert_event (const EvsEventChunk *events,
                       gsize                i,
                       gint64               t,
                       guint                x,
                       guint                y,
                       guint                p)
{
  g_assert_cmpuint (i, <, events->n_events);
  g_assert_cmpint (events->t[i], ==, t);
  g_assert_cmpuint (events->x[i], ==, x);
  g_assert_cmpuint (events->y[i], ==, y);
  g_assert_cmpuint (events->p[i], ==, p);
}

void
evs_test_assert_chunks_equal (const EvsEventChunk *a,
                              gsize                a_start,
                              const EvsEventChunk *b,
                              gsize                b_start,
                              gsize                n)
{
  g_assert_cmpuint (a_start + n, <=, a->n_events);
  g_assert_cmpuint (b_start + n, <=, b->n_events);

  for (gsize i = 0; i < n; i++)
    {
      if (a->t[a_start + i] != b->t[b_start + i] || a->x[a_start + i] != b->x[b_start + i]
          || a->y[a_start + i] != b->y[b_start + i] || a->p[a_start + i] != b->p[b_start + i])
        {
          g_test_message ("event %" G_GSIZE_FORMAT " differs: (%" G_GINT64_FORMAT ",%u,%u,%u) vs "
                          "(%" G_GINT64_FORMAT ",%u,%u,%u)", i,
                          a->t[a_start + i], a->x[a_start + i], a->y[a_start + i], a->p[a_start + i],
                          b->t[b_start + i], b->x[b_start + i], b->y[b_start + i], b->p[b_start + i]);
          g_assert_not_reached ();
        }
    }
}

/**
 * evs_test_check_seek:
 *
 * For @n_targets times spread over the recording (and its ends), checks that
 * seek(t) followed by reading to the end gives exactly the tail of a full
 * read starting at the first event with time ≥ t, with and without an index,
 * and with small chunks so that the index has many entries.
 */
void
evs_test_check_seek (const char *path,
                     guint       n_targets)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(EvsReader) reader = NULL;
  g_autoptr(EvsReader) indexed = NULL;
  g_autoptr(EvsIndex) index = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  gint64 t0, t1;

  all = evs_test_read_all (path, 4096, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->n_events, >, 0);

  t0 = all->t[0];
  t1 = all->t[all->n_events - 1];

  reader = evs_reader_open (path, &error);
  g_assert_no_error (error);
  indexed = evs_reader_open (path, &error);
  g_assert_no_error (error);
  index = evs_index_build (indexed, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (evs_index_get_n_events (index), ==, all->n_events);
  evs_reader_set_index (indexed, index);

  for (guint k = 0; k < n_targets + 4; k++)
    {
      gint64 target;
      gsize expected_start = 0;

      switch (k)
        {
        case 0: target = t0 - 1000; break;
        case 1: target = t0; break;
        case 2: target = t1; break;
        case 3: target = t1 + 1; break;
        default: target = t0 + (gint64) g_rand_double_range (rand, 0, (double) (t1 - t0 + 1));
        }

      while (expected_start < all->n_events && all->t[expected_start] < target)
        expected_start++;

      for (guint which = 0; which < 2; which++)
        {
          EvsReader *r = which == 0 ? reader : indexed;
          g_autoptr(EvsEventChunk) tail = NULL;

          g_assert_true (evs_reader_seek (r, target, &error));
          g_assert_no_error (error);
          tail = evs_test_read_reader (r, 1000, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (tail->n_events, ==, all->n_events - expected_start);
          evs_test_assert_chunks_equal (tail, 0, all, expected_start, tail->n_events);
        }
    }
}

char *
evs_test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("evscope-test-XXXXXX", &error);

  g_assert_no_error (error);

  return dir;
}

void
evs_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        evs_test_remove_tree (path);
      else
        g_unlink (path);
    }

  g_rmdir (dir);
}

static void
check_damaged_copy (const char   *copy,
                    const EvsEventChunk *all)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsReader) reader = evs_reader_open (copy, &error);
  g_autoptr(EvsEventChunk) chunk = NULL;
  guint64 n = 0;

  if (reader == NULL)
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      return;
    }

  chunk = evs_event_chunk_new (997);
  for (guint guard = 0; guard < 100000000; guard++)
    {
      if (!evs_reader_read (reader, chunk, &error))
        {
          g_assert_nonnull (error);
          break;
        }
      if (chunk->n_events == 0)
        break;
      n += chunk->n_events;
      /* Coordinates stay inside the declared sensor */
      if (evs_reader_get_info (reader)->geometry_known)
        for (gsize i = 0; i < chunk->n_events; i++)
          {
            g_assert_cmpuint (chunk->x[i], <, evs_reader_get_width (reader));
            g_assert_cmpuint (chunk->y[i], <, evs_reader_get_height (reader));
          }
    }
  (void) all;
  (void) n;
}

/**
 * evs_test_check_damaged:
 *
 * Truncates the file at @n_truncations offsets and flips random bytes
 * in @n_flips copies: every read must end in an error or a clean end, never
 * a crash, and a truncated file must give a prefix of the full read.
 */
void
evs_test_check_damaged (const char *path,
                        guint       n_truncations,
                        guint       n_flips)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *copy = g_build_filename (dir, base, NULL);
  g_autoptr(EvsEventChunk) all = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234);
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  all = evs_test_read_all (path, 4096, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < n_truncations; k++)
    {
      gsize cut = k == 0 ? 1 : (gsize) g_rand_int_range (rand, 0, (gint32) MIN (len, G_MAXINT32));
      g_autoptr(EvsReader) reader = NULL;
      g_autoptr(EvsEventChunk) prefix = NULL;

      g_assert_true (g_file_set_contents (copy, contents, cut, &error));
      reader = evs_reader_open (copy, &error);
      if (reader == NULL)
        {
          g_assert_nonnull (error);
          g_clear_error (&error);
          continue;
        }
      prefix = evs_event_chunk_new (1024);
      {
        g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (997);

        /* Keep what was delivered before an error: it must be a prefix too. */
        while (evs_reader_read (reader, chunk, &error) && chunk->n_events > 0)
          evs_event_chunk_append_range (prefix, chunk, 0, chunk->n_events);
        g_clear_error (&error);
      }
      /* A clean end: what was read is a prefix of the full read. */
      g_assert_cmpuint (prefix->n_events, <=, all->n_events);
      evs_test_assert_chunks_equal (prefix, 0, all, 0, prefix->n_events);
    }

  for (guint k = 0; k < n_flips; k++)
    {
      g_autofree char *damaged = g_memdup2 (contents, len);

      for (guint f = 0; f < 16; f++)
        {
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) MIN (len, G_MAXINT32));

          damaged[at] = (char) g_rand_int_range (rand, 0, 256);
        }
      g_assert_true (g_file_set_contents (copy, damaged, len, &error));
      check_damaged_copy (copy, all);
    }

  g_unlink (copy);
  evs_test_remove_tree (dir);
}

/**
 * evs_test_apply_pipeline:
 * @all: every event of a recording, in file order
 * @pipeline: not modified (a copy runs)
 *
 * What an export of the recording with @pipeline and the time range
 * [@start_us, @end_us) must produce, computed in memory: hot pixels learnt
 * from the per-pixel counts of the whole recording, then the events of the
 * range through the pipeline in one chunk.
 *
 * Returns: (transfer full): the kept events
 */
EvsEventChunk *
evs_test_apply_pipeline (const EvsEventChunk *all,
                         EvsPipeline         *pipeline,
                         gint64               start_us,
                         gint64               end_us)
{
  g_autoptr(EvsPipeline) copy = evs_pipeline_copy (pipeline);
  EvsEventChunk *cut = evs_event_chunk_new (MAX (all->n_events, 1));

  if (evs_pipeline_needs_first_pass (copy) && all->n_events > 0)
    {
      guint w = 0, h = 0;
      gint64 t_min = G_MAXINT64, t_max = G_MININT64;
      g_autofree guint32 *counts = NULL;

      for (gsize i = 0; i < all->n_events; i++)
        {
          w = MAX (w, all->x[i] + 1u);
          h = MAX (h, all->y[i] + 1u);
          t_min = MIN (t_min, all->t[i]);
          t_max = MAX (t_max, all->t[i]);
        }
      counts = g_new0 (guint32, (gsize) w * h);
      for (gsize i = 0; i < all->n_events; i++)
        counts[(gsize) all->y[i] * w + all->x[i]]++;
      evs_pipeline_learn_counts (copy, counts, w, h, t_max - t_min + 1);
    }
  for (gsize i = 0; i < all->n_events; i++)
    {
      if (all->t[i] >= start_us && all->t[i] < end_us)
        evs_event_chunk_push (cut, all->t[i], all->x[i], all->y[i], all->p[i]);
    }
  evs_pipeline_process (copy, cut);

  return cut;
}
