/* test-pipeline.c
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

#include <glib/gstdio.h>
#include <string.h>

#include "evs-filters.h"
#include "evs-pipeline.h"
#include "evs-test-utils.h"

static const char *example =
  "{ \"version\": 1,\n"
  "  \"filters\": [\n"
  "    { \"type\": \"time\",       \"start_us\": 0, \"end_us\": 5000000 },\n"
  "    { \"type\": \"roi\",        \"rects\": [ { \"x_min\": 0, \"x_max\": 99, \"y_min\": 0, "
  "\"y_max\": 99 } ], \"invert\": false },\n"
  "    { \"type\": \"polarity\",   \"keep\": \"on\" },\n"
  "    { \"type\": \"hot_pixels\", \"max_rate_hz\": 100 },\n"
  "    { \"type\": \"refractory\", \"period_us\": 1000 },\n"
  "    { \"type\": \"background_activity\", \"window_us\": 2000 },\n"
  "    { \"type\": \"stcf\",       \"window_us\": 5000, \"min_neighbors\": 2, "
  "\"polarity_match\": true }\n"
  "  ] }\n";

static void
test_example (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) p = evs_pipeline_new_from_string (example, NULL, &error);
  g_autoptr(EvsPipeline) q = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  const char *types[] = { "time", "roi", "polarity", "hot_pixels", "refractory",
                          "background_activity", "stcf" };
  gint64 end_us;
  guint window, k, n_rects;
  gboolean match;
  double rate;
  const EvsRoiRect *rects;

  g_assert_no_error (error);
  g_assert_cmpuint (evs_pipeline_get_n_filters (p), ==, 7);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (p)), ==, 7);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (p)) == EVS_TYPE_FILTER);
  for (guint i = 0; i < 7; i++)
    g_assert_cmpstr (evs_filter_get_type_name (evs_pipeline_get_filter (p, i)), ==, types[i]);

  g_object_get (evs_pipeline_get_filter (p, 0), "end-us", &end_us, NULL);
  g_assert_cmpint (end_us, ==, 5000000);
  rects = evs_roi_filter_get_rects (EVS_ROI_FILTER (evs_pipeline_get_filter (p, 1)), &n_rects);
  g_assert_cmpuint (n_rects, ==, 1);
  g_assert_cmpuint (rects[0].x_max, ==, 99);
  g_object_get (evs_pipeline_get_filter (p, 3), "max-rate-hz", &rate, NULL);
  g_assert_cmpfloat (rate, ==, 100.0);
  g_object_get (evs_pipeline_get_filter (p, 6), "window-us", &window, "min-neighbors", &k,
                "polarity-match", &match, NULL);
  g_assert_cmpuint (window, ==, 5000);
  g_assert_cmpuint (k, ==, 2);
  g_assert_true (match);

  /* round trip */
  s1 = evs_pipeline_to_string (p, FALSE);
  q = evs_pipeline_new_from_string (s1, NULL, &error);
  g_assert_no_error (error);
  s2 = evs_pipeline_to_string (q, FALSE);
  g_assert_cmpstr (s1, ==, s2);
  g_test_message ("%s", s1);
}

static void
test_round_trip_all (void)
{
  g_autoptr(EvsPipeline) p = evs_pipeline_new ();
  g_autoptr(GError) error = NULL;
  const char * const *types = evs_filter_list_type_names ();
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "p.json", NULL);
  g_autoptr(EvsPipeline) q = NULL;
  g_autoptr(EvsPipeline) r = NULL;

  for (guint i = 0; types[i] != NULL; i++)
    {
      g_autoptr(EvsFilter) f = evs_filter_new_for_type_name (types[i], &error);

      g_assert_no_error (error);
      evs_pipeline_append (p, f);
    }
  /* change every kind of parameter away from its default */
  g_object_set (evs_pipeline_get_filter (p, 0), "start-us", (gint64) -7, NULL);
  g_object_set (evs_pipeline_get_filter (p, 1), "invert", TRUE, NULL);
  g_object_set (evs_pipeline_get_filter (p, 2), "keep", EVS_POLARITY_KEEP_OFF, NULL);
  g_object_set (evs_pipeline_get_filter (p, 3), "criterion", EVS_HOT_PIXELS_CRITERION_PERCENTILE,
                "percentile", 99.5, "learn-ms", 200u, NULL);
  g_object_set (evs_pipeline_get_filter (p, 7), "min-events", 1.5, "cell-size", 8u, NULL);
  g_object_set (evs_pipeline_get_filter (p, 9), "action", EVS_MONOTONIC_ACTION_REPORT, NULL);
  evs_filter_set_enabled (evs_pipeline_get_filter (p, 5), FALSE);

  s1 = evs_pipeline_to_string (p, TRUE);
  g_test_message ("%s", s1);
  g_assert_nonnull (strstr (s1, "\"enabled\" : false"));
  q = evs_pipeline_new_from_string (s1, NULL, &error);
  g_assert_no_error (error);
  s2 = evs_pipeline_to_string (q, TRUE);
  g_assert_cmpstr (s1, ==, s2);
  g_assert_false (evs_filter_get_enabled (evs_pipeline_get_filter (q, 5)));

  g_assert_true (evs_pipeline_save_to_file (p, path, &error));
  g_assert_no_error (error);
  r = evs_pipeline_new_from_file (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&s2, g_free);
  s2 = evs_pipeline_to_string (r, TRUE);
  g_assert_cmpstr (s1, ==, s2);

  evs_test_remove_tree (dir);
}

static void
check_error (const char *json,
             const char *needle1,
             const char *needle2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) p = evs_pipeline_new_from_string (json, NULL, &error);

  g_assert_null (p);
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s → %s", json, error->message);
  if (strstr (error->message, needle1) == NULL
      || (needle2 != NULL && strstr (error->message, needle2) == NULL))
    g_error ("“%s” does not mention “%s” and “%s”", error->message, needle1,
             needle2 ? needle2 : "");
}

#define F(x) "{\"version\":1,\"filters\":[{\"type\":\"time\"}," x "]}"

static void
test_errors (void)
{
  check_error ("[1,2]", "object", NULL);
  check_error ("{\"version\":2,\"filters\":[]}", "version", NULL);
  check_error ("{\"version\":1}", "filters", NULL);
  check_error ("{\"version\":1,\"filters\":[],\"extra\":1}", "extra", NULL);
  check_error ("{\"version\":1,\"filters\":[", "JSON", NULL);
  check_error (F ("{\"type\":\"sharpen\"}"), "filter 1", "sharpen");
  check_error (F ("{\"window_us\":5}"), "filter 1", "type");
  check_error (F ("3"), "filter 1", "object");
  check_error (F ("{\"type\":\"stcf\",\"min_neighbors\":9}"), "filter 1 (stcf)", "min_neighbors");
  check_error (F ("{\"type\":\"stcf\",\"window_us\":0}"), "filter 1 (stcf)", "window_us");
  check_error (F ("{\"type\":\"stcf\",\"window_us\":\"5ms\"}"), "filter 1 (stcf)", "window_us");
  check_error (F ("{\"type\":\"stcf\",\"window_us\":2.5}"), "filter 1 (stcf)", "window_us");
  check_error (F ("{\"type\":\"stcf\",\"windw_us\":5}"), "filter 1 (stcf)", "windw_us");
  check_error (F ("{\"type\":\"stcf\",\"window-us\":5}"), "filter 1 (stcf)", "window-us");
  check_error (F ("{\"type\":\"stcf\",\"enabled\":\"no\"}"), "filter 1 (stcf)", "enabled");
  check_error (F ("{\"type\":\"refractory\",\"period_us\":-1}"), "refractory", "period_us");
  check_error (F ("{\"type\":\"polarity\",\"keep\":\"both\"}"), "polarity", "keep");
  check_error (F ("{\"type\":\"roi\",\"rects\":[{\"x_min\":5,\"x_max\":1,\"y_min\":0,"
                  "\"y_max\":1}]}"), "filter 1 (roi)", "rects");
  check_error (F ("{\"type\":\"roi\",\"rects\":[{\"x_min\":0,\"x_max\":70000,\"y_min\":0,"
                  "\"y_max\":1}]}"), "filter 1 (roi)", "x_max");
  check_error (F ("{\"type\":\"roi\",\"rects\":[{\"x_min\":0,\"x_max\":1,\"y_min\":0}]}"),
               "filter 1 (roi)", "y_max");
  check_error (F ("{\"type\":\"roi\",\"rects\":{}}"), "filter 1 (roi)", "rects");
  check_error (F ("{\"type\":\"hot_pixels\",\"max_rate_hz\":100,\"percentile\":99}"),
               "filter 1 (hot_pixels)", "only one");
  check_error (F ("{\"type\":\"hot_pixels\",\"percentile\":101}"), "hot_pixels", "percentile");
  check_error (F ("{\"type\":\"hot_pixels\",\"mask\":\"/nonexistent/mask.txt\"}"),
               "hot_pixels", "mask");
  check_error (F ("{\"type\":\"time\",\"start_us\":10,\"end_us\":5}"), "filter 1 (time)", "end_us");
  check_error (F ("{\"type\":\"activity\",\"min_events\":-1}"), "activity", "min_events");
  check_error (F ("{\"type\":\"monotonic\",\"action\":\"fix\"}"), "monotonic", "action");
}

static void
test_mask_relative (void)
{
  g_autofree char *dir = evs_test_make_tmp_dir ();
  g_autofree char *mask = g_build_filename (dir, "hot.txt", NULL);
  g_autofree char *json = g_build_filename (dir, "p.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) p = NULL;
  g_autoptr(EvsPipeline) copy = NULL;
  EvsHotPixelsFilter *hp;

  g_assert_true (g_file_set_contents (mask, "# mask\n3 4\n10 2\n", -1, NULL));
  g_assert_true (g_file_set_contents (json, "{\"version\":1,\"filters\":[{\"type\":\"hot_pixels\","
                                      "\"mask\":\"hot.txt\"}]}", -1, NULL));
  p = evs_pipeline_new_from_file (json, &error);
  g_assert_no_error (error);
  hp = EVS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (p, 0));
  g_assert_true (evs_hot_pixels_filter_is_hot (hp, 3, 4));
  g_assert_true (evs_hot_pixels_filter_is_hot (hp, 10, 2));
  g_assert_false (evs_hot_pixels_filter_is_hot (hp, 4, 3));
  g_assert_false (evs_pipeline_needs_first_pass (p));

  /* copies keep the mask even when the file is gone */
  g_unlink (mask);
  copy = evs_pipeline_copy (p);
  g_assert_true (evs_hot_pixels_filter_is_hot (
    EVS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (copy, 0)), 10, 2));

  evs_test_remove_tree (dir);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

static void
changed_cb (EvsPipeline *p,
            guint       *count)
{
  (*count)++;
}

static void
test_model (void)
{
  g_autoptr(EvsPipeline) p = evs_pipeline_new ();
  g_autoptr(EvsFilter) a = evs_refractory_filter_new ();
  g_autoptr(EvsFilter) b = evs_stcf_filter_new ();
  g_autoptr(EvsFilter) c = evs_polarity_filter_new ();
  g_autoptr(EvsFilter) item = NULL;
  guint n_items_changed = 0, n_changed = 0;

  g_signal_connect (p, "items-changed", G_CALLBACK (items_changed_cb), &n_items_changed);
  g_signal_connect (p, "changed", G_CALLBACK (changed_cb), &n_changed);
  evs_pipeline_append (p, a);
  evs_pipeline_append (p, b);
  evs_pipeline_insert (p, 0, c);
  g_assert_cmpuint (n_items_changed, ==, 3);
  g_assert_true (evs_pipeline_get_filter (p, 0) == c);
  g_assert_true (evs_pipeline_get_filter (p, 1) == a);
  g_assert_true (evs_pipeline_get_filter (p, 2) == b);

  evs_pipeline_move (p, 0, 2);
  g_assert_true (evs_pipeline_get_filter (p, 0) == a);
  g_assert_true (evs_pipeline_get_filter (p, 1) == b);
  g_assert_true (evs_pipeline_get_filter (p, 2) == c);
  item = g_list_model_get_item (G_LIST_MODEL (p), 2);
  g_assert_true (item == c);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (p), 3));

  n_changed = 0;
  g_object_set (b, "window-us", 1234u, NULL);
  g_assert_cmpuint (n_changed, ==, 1);
  g_object_set (b, "window-us", 1234u, NULL);   /* unchanged: no notify */
  g_assert_cmpuint (n_changed, ==, 1);

  evs_pipeline_remove (p, 1);
  g_assert_cmpuint (evs_pipeline_get_n_filters (p), ==, 2);
  g_object_set (b, "window-us", 99u, NULL);     /* removed: no longer watched */
  g_assert_cmpuint (n_changed, ==, 2);
}

static void
test_stats_and_mask (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) p = evs_pipeline_new_from_string (
    "{\"version\":1,\"filters\":["
    "{\"type\":\"polarity\",\"keep\":\"on\",\"enabled\":false},"
    "{\"type\":\"roi\",\"rects\":[{\"x_min\":0,\"x_max\":9,\"y_min\":0,\"y_max\":9}]},"
    "{\"type\":\"refractory\",\"period_us\":100}]}", NULL, &error);
  g_autoptr(EvsEventChunk) chunk = evs_event_chunk_new (16);
  g_autoptr(EvsEventChunk) copy = NULL;
  guint8 keep[8], removed[8];
  const guint8 exp_removed[8] = { 0, 2, 0, 3, 3, 0, 0, 2 };
  EvsStageStats st;

  g_assert_no_error (error);
  evs_event_chunk_push (chunk, 0, 1, 1, 1);
  evs_event_chunk_push (chunk, 1, 20, 1, 1);    /* outside the ROI */
  evs_event_chunk_push (chunk, 2, 2, 2, 0);
  evs_event_chunk_push (chunk, 50, 1, 1, 0);    /* refractory */
  evs_event_chunk_push (chunk, 60, 2, 2, 1);    /* refractory */
  evs_event_chunk_push (chunk, 100, 1, 1, 1);
  evs_event_chunk_push (chunk, 101, 9, 9, 0);
  evs_event_chunk_push (chunk, 102, 10, 9, 0);  /* outside */
  copy = evs_event_chunk_copy (chunk);

  g_assert_cmpuint (evs_pipeline_process_mask (p, chunk, keep, removed), ==, 4);
  g_assert_cmpmem (removed, 8, exp_removed, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpuint (keep[i], ==, exp_removed[i] == 0);
  evs_test_assert_chunks_equal (chunk, 0, copy, 0, 8);   /* untouched */

  evs_pipeline_get_stage_stats (p, 0, &st);
  g_assert_cmpuint (st.in, ==, 8);
  g_assert_cmpuint (st.out, ==, 8);
  g_assert_cmpuint (st.in_on, ==, 4);
  g_assert_cmpuint (st.out_on, ==, 4);
  evs_pipeline_get_stage_stats (p, 1, &st);
  g_assert_cmpuint (st.in, ==, 8);
  g_assert_cmpuint (st.out, ==, 6);
  g_assert_cmpuint (st.in_on, ==, 4);
  g_assert_cmpuint (st.out_on, ==, 3);
  evs_pipeline_get_stage_stats (p, 2, &st);
  g_assert_cmpuint (st.in, ==, 6);
  g_assert_cmpuint (st.out, ==, 4);
  g_assert_cmpuint (st.in_on, ==, 3);
  g_assert_cmpuint (st.out_on, ==, 2);

  /* in place, after a reset: same events */
  evs_pipeline_reset (p);
  evs_pipeline_get_stage_stats (p, 2, &st);
  g_assert_cmpuint (st.in, ==, 0);
  g_assert_cmpuint (evs_pipeline_process (p, chunk), ==, 4);
  evs_test_assert_event (chunk, 0, 0, 1, 1, 1);
  evs_test_assert_event (chunk, 1, 2, 2, 2, 0);
  evs_test_assert_event (chunk, 2, 100, 1, 1, 1);
  evs_test_assert_event (chunk, 3, 101, 9, 9, 0);

  /* enabling the polarity stage */
  evs_pipeline_reset (p);
  evs_filter_set_enabled (evs_pipeline_get_filter (p, 0), TRUE);
  /* (2,2) at 60 is kept now: its OFF event at 2 no longer reaches the refractory stage */
  g_assert_cmpuint (evs_pipeline_process_mask (p, copy, keep, removed), ==, 3);
  g_assert_cmpuint (removed[4], ==, 0);
  g_assert_cmpuint (removed[2], ==, 1);
}

/* Events on a small sensor with bursts around a moving point, so that
 * every filter keeps some and drops some */
static EvsEventChunk *
make_clustered (guint   n,
                guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  EvsEventChunk *chunk = evs_event_chunk_new (n);
  gint64 t = 1000;

  for (guint i = 0; i < n; i++)
    {
      guint x, y;

      t += g_rand_int_range (rand, 0, 40);
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          x = g_rand_int_range (rand, 0, 64);
          y = g_rand_int_range (rand, 0, 48);
        }
      else
        {
          x = (guint) (t / 700) % 60 + g_rand_int_range (rand, 0, 4);
          y = (guint) (t / 1100) % 44 + g_rand_int_range (rand, 0, 4);
        }
      if (g_rand_int_range (rand, 0, 50) == 0)
        x = 5, y = 7;   /* a hot pixel */
      evs_event_chunk_push (chunk, t, (guint16) x, (guint16) y, (guint8) g_rand_int_range (rand, 0, 2));
    }
  return chunk;
}

/* The pipeline's shared-mask path (filters that refine a mask, one
 * compaction) gives exactly what running each filter on the compacted
 * chunk gives, stage statistics included, whatever the chunk sizes */
static void
test_refine_equals_compaction (void)
{
  const char *spec =
    "{\"version\":1,\"filters\":["
    "{\"type\":\"time\",\"start_us\":3000,\"end_us\":9000000},"
    "{\"type\":\"hot_pixels\",\"max_rate_hz\":50,\"learn_ms\":40},"
    "{\"type\":\"refractory\",\"period_us\":30},"
    "{\"type\":\"stcf\",\"window_us\":3000,\"min_neighbors\":2},"
    "{\"type\":\"roi\",\"rects\":[{\"x_min\":2,\"x_max\":55,\"y_min\":1,\"y_max\":40}]},"
    "{\"type\":\"activity\",\"window_us\":2000,\"min_events\":2},"
    "{\"type\":\"background_activity\",\"window_us\":2000},"
    "{\"type\":\"stcf\",\"window_us\":4000,\"min_neighbors\":1,\"polarity_match\":true},"
    "{\"type\":\"polarity\",\"keep\":\"on\"}]}";
  const gsize sizes[] = { 1, 7, 333, 4096, 200000 };
  g_autoptr(EvsEventChunk) all = make_clustered (200000, 11);

  for (guint k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(EvsPipeline) fused = evs_pipeline_new_from_string (spec, NULL, &error);
      g_autoptr(EvsPipeline) plain = evs_pipeline_new_from_string (spec, NULL, &error);
      g_autoptr(EvsEventChunk) out_fused = evs_event_chunk_new (all->n_events);
      g_autoptr(EvsEventChunk) out_plain = evs_event_chunk_new (all->n_events);
      g_autofree guint8 *keep = g_malloc (sizes[k]);

      g_assert_no_error (error);
      evs_pipeline_set_geometry (fused, 64, 48);
      evs_pipeline_set_geometry (plain, 64, 48);
      for (gsize i = 0; i < all->n_events; i += sizes[k])
        {
          gsize n = MIN (sizes[k], all->n_events - i);
          g_autoptr(EvsEventChunk) a = evs_event_chunk_new (n);
          g_autoptr(EvsEventChunk) b = NULL;

          evs_event_chunk_append_range (a, all, i, n);
          b = evs_event_chunk_copy (a);
          evs_pipeline_process (fused, a);
          evs_event_chunk_append_range (out_fused, a, 0, a->n_events);
          /* with a removed-by record, every stage runs on a compacted chunk */
          evs_pipeline_process_mask (plain, b, keep, NULL);
          for (gsize j = 0; j < n; j++)
            if (keep[j])
              evs_event_chunk_append_range (out_plain, b, j, 1);
        }

      g_assert_cmpuint (out_fused->n_events, ==, out_plain->n_events);
      g_assert_cmpuint (out_fused->n_events, >, 0);
      evs_test_assert_chunks_equal (out_fused, 0, out_plain, 0, out_plain->n_events);
      for (guint s = 0; s < evs_pipeline_get_n_filters (fused); s++)
        {
          EvsStageStats sa, sb;

          evs_pipeline_get_stage_stats (fused, s, &sa);
          evs_pipeline_get_stage_stats (plain, s, &sb);
          g_assert_cmpuint (sa.in, ==, sb.in);
          g_assert_cmpuint (sa.out, ==, sb.out);
          g_assert_cmpuint (sa.in_on, ==, sb.in_on);
          g_assert_cmpuint (sa.out_on, ==, sb.out_on);
          /* every stage has something to do */
          g_assert_cmpuint (sa.out, <, sa.in);
          g_assert_cmpuint (sa.out, >, 0);
        }
    }
}

static void
test_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(EvsPipeline) p = evs_pipeline_new_from_string (example, NULL, &error);
  g_autoptr(EvsPipeline) c = NULL;
  g_autofree char *s1 = NULL;
  g_autofree char *s2 = NULL;
  guint32 counts[4] = { 1, 1000000, 1, 1 };
  guint window;
  const char *param = NULL;
  EvsFilter *f;

  g_assert_no_error (error);
  evs_pipeline_learn_counts (p, counts, 2, 2, 1000000);
  c = evs_pipeline_copy (p);
  s1 = evs_pipeline_to_string (p, FALSE);
  s2 = evs_pipeline_to_string (c, FALSE);
  g_assert_cmpstr (s1, ==, s2);
  g_assert_true (evs_pipeline_get_filter (c, 6) != evs_pipeline_get_filter (p, 6));
  g_assert_false (evs_pipeline_needs_first_pass (c));
  g_assert_true (evs_hot_pixels_filter_is_hot (
    EVS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (c, 3)), 1, 0));

  g_object_set (evs_pipeline_get_filter (c, 6), "window-us", 77u, NULL);
  g_object_get (evs_pipeline_get_filter (p, 6), "window-us", &window, NULL);
  g_assert_cmpuint (window, ==, 5000);

  f = evs_pipeline_find_filter (p, "stcf.window_us", &param, &error);
  g_assert_no_error (error);
  g_assert_true (f == evs_pipeline_get_filter (p, 6));
  g_assert_cmpstr (param, ==, "window_us");
  f = evs_pipeline_find_filter (p, "4.period_us", &param, &error);
  g_assert_true (f == evs_pipeline_get_filter (p, 4));
  g_assert_true (evs_filter_set_param_from_string (f, param, "250", &error));
  g_object_get (f, "period-us", &window, NULL);
  g_assert_cmpuint (window, ==, 250);
  g_assert_false (evs_filter_set_param_from_string (f, param, "0", &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (evs_pipeline_find_filter (p, "9.window_us", &param, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (evs_pipeline_find_filter (p, "activity.window_us", &param, &error));
  g_assert_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pipeline/example", test_example);
  g_test_add_func ("/pipeline/round-trip-all", test_round_trip_all);
  g_test_add_func ("/pipeline/errors", test_errors);
  g_test_add_func ("/pipeline/mask-relative", test_mask_relative);
  g_test_add_func ("/pipeline/model", test_model);
  g_test_add_func ("/pipeline/stats-and-mask", test_stats_and_mask);
  g_test_add_func ("/pipeline/copy", test_copy);
  g_test_add_func ("/pipeline/refine-equals-compaction", test_refine_equals_compaction);

  return g_test_run ();
}
