/* test-workbench.c
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

#include <adwaita.h>
#include <math.h>

#include "evs-application.h"
#include "evs-export-dialog.h"
#include "evs-export-job.h"
#include "evs-filters.h"
#include "evs-hot-pixels-dialog.h"
#include "evs-pipeline-panel.h"
#include "evs-preview-view.h"
#include "evs-test-synth.h"
#include "evs-test-utils.h"
#include "evs-window.h"

/* UI tests (Xvfb) of the workbench: the pipeline panel driven through its
 * pipeline.* actions and widgets, the live preview against the core
 * pipeline run over the whole recording, ROI drawing with synthesized
 * drags, and the export dialog against an EvsExportJob (and evscope-cli
 * export --pipeline when the CLI has it) of the same preset. */

#define WAIT_UNTIL(cond)                                                  \
  G_STMT_START {                                                          \
    gint64 _deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;     \
    while (!(cond))                                                       \
      {                                                                   \
        if (g_get_monotonic_time () > _deadline)                          \
          g_error ("Timed out waiting for: %s", #cond);                   \
        g_main_context_iteration (NULL, FALSE);                           \
        g_usleep (1000);                                                  \
      }                                                                   \
  } G_STMT_END

#define WIDTH  640
#define HEIGHT 480

static char *tmp_dir;
static char *synth_path;
static EvsEventChunk *all_events;

static const char *
get_synth (void)
{
  if (synth_path == NULL)
    {
      g_autoptr(GError) error = NULL;

      synth_path = g_build_filename (tmp_dir, "synth.dat", NULL);
      evs_test_write_synthetic (synth_path, EVS_FORMAT_DAT, WIDTH, HEIGHT, 400000, 1000, 2000000, 9);
      all_events = evs_test_read_all (synth_path, 4096, &error);
      g_assert_no_error (error);
    }
  return synth_path;
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             const char *name)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type)
      && (name == NULL || g_strcmp0 (gtk_widget_get_name (root), name) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static EvsWindow *
open_window (void)
{
  EvsWindow *window = evs_window_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (get_synth ());
  EvsSession *session = evs_window_get_session (window);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  gtk_window_present (GTK_WINDOW (window));
  evs_window_open (window, file);
  WAIT_UNTIL (evs_session_get_indexed (session) && evs_session_get_frame (session) != NULL);

  evs_session_set_window_us (session, 20000);
  evs_session_set_time (session, 1500000);
  WAIT_UNTIL (evs_session_get_frame (session)->t_end == 1500000
              && evs_session_get_frame (session)->t_start == 1480000);
  return window;
}

static EvsPipelinePanel *
get_panel (EvsWindow *window)
{
  return EVS_PIPELINE_PANEL (find_widget (GTK_WIDGET (window), EVS_TYPE_PIPELINE_PANEL, NULL));
}

static EvsPreviewView *
get_view (EvsWindow *window)
{
  return EVS_PREVIEW_VIEW (find_widget (GTK_WIDGET (window), EVS_TYPE_PREVIEW_VIEW, NULL));
}

/* Waits for the preview of the pipeline as it is now. */
static EvsPreview *
wait_preview (EvsWorkbench *workbench)
{
  WAIT_UNTIL (!evs_workbench_get_busy (workbench) && evs_workbench_get_preview (workbench) != NULL);
  return evs_workbench_get_preview (workbench);
}

typedef struct
{
  guint64 n_in;
  guint64 n_kept;
  guint64 removed_by[8];
} Reference;

/* The core pipeline over the whole recording (what an export does),
 * counted in [t_start, t_end) */
static void
reference_counts (EvsPipeline *pipeline,
                  gint64       t_start,
                  gint64       t_end,
                  Reference   *ref)
{
  g_autoptr(EvsPipeline) copy = evs_pipeline_copy (pipeline);
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (4096);
  g_autofree guint8 *removed_by = g_malloc (4096);

  memset (ref, 0, sizeof *ref);
  evs_pipeline_set_geometry (copy, WIDTH, HEIGHT);
  for (gsize start = 0; start < all_events->n_events; start += 4096)
    {
      gsize n = MIN (4096, all_events->n_events - start);

      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, all_events, start, n);
      evs_pipeline_process_mask (copy, part, NULL, removed_by);
      for (gsize i = 0; i < n; i++)
        if (part->t[i] >= t_start && part->t[i] < t_end)
          {
            ref->n_in++;
            if (removed_by[i] == 0)
              ref->n_kept++;
            else
              ref->removed_by[removed_by[i] - 1]++;
          }
    }
}

static void
test_preview_stcf (void)
{
  EvsWindow *window = open_window ();
  EvsWorkbench *workbench = evs_window_get_workbench (window);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (workbench);
  EvsPipelinePanel *panel = get_panel (window);
  EvsFrameView *frame_view = evs_window_get_frame_view (window);
  GtkWidget *row, *spin;
  EvsFilter *stcf;
  EvsPreview *preview;
  Reference ref;
  guint window_us;
  const char *subtitle;
  g_autofree char *expected = NULL;
  g_autofree char *preset = g_build_filename (tmp_dir, "preset.json", NULL);
  g_autofree char *json_before = NULL;
  g_autofree char *json_after = NULL;

  g_assert_nonnull (panel);
  g_assert_cmpint (evs_workbench_get_compare_mode (workbench), ==, EVS_COMPARE_RAW);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (frame_view)));

  /* Add STCF from the menu's action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.add-filter", "s", "stcf"));
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
  stcf = evs_pipeline_get_filter (pipeline, 0);
  g_assert_cmpstr (evs_filter_get_type_name (stcf), ==, "stcf");
  /* The view switches to the filtered preview */
  g_assert_cmpint (evs_workbench_get_compare_mode (workbench), ==, EVS_COMPARE_FILTERED);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (frame_view)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (get_view (window))));

  /* Change its window through the row's spin button */
  row = find_widget (GTK_WIDGET (panel), ADW_TYPE_ACTION_ROW, "window-us");
  g_assert_nonnull (row);
  spin = find_widget (row, GTK_TYPE_SPIN_BUTTON, NULL);
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 2500);
  g_object_get (stcf, "window-us", &window_us, NULL);
  g_assert_cmpuint (window_us, ==, 2500);
  g_assert_true (evs_workbench_get_busy (workbench));

  preview = wait_preview (workbench);
  reference_counts (pipeline, 1480000, 1500000, &ref);
  g_test_message ("window: %" G_GUINT64_FORMAT " in, %" G_GUINT64_FORMAT " kept", ref.n_in,
                  ref.n_kept);
  g_assert_cmpint (preview->t_start, ==, 1480000);
  g_assert_cmpint (preview->t_end, ==, 1500000);
  g_assert_cmpint (preview->warmup_us, ==, 2500);
  g_assert_cmpuint (ref.n_kept, <, ref.n_in);
  g_assert_cmpuint (preview->n_in, ==, ref.n_in);
  g_assert_cmpuint (preview->n_kept, ==, ref.n_kept);
  g_assert_cmpuint (preview->stages[0].in - preview->stages[0].out, ==, ref.removed_by[0]);

  /* The row shows what its stage removed, and the share */
  subtitle = evs_pipeline_panel_get_row_subtitle (panel, 0);
  g_assert_nonnull (subtitle);
  expected = g_strdup_printf ("(%.1f %%)", 100.0 * ref.removed_by[0] / ref.n_in);
  g_test_message ("row: %s", subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Removed "));
  g_assert_nonnull (strstr (subtitle, expected));

  /* Moving the time cursor re-renders the preview for the new window */
  evs_session_set_time (evs_window_get_session (window), 900000);
  WAIT_UNTIL (evs_workbench_get_preview (workbench)->t_end == 900000
              && !evs_workbench_get_busy (workbench));
  preview = evs_workbench_get_preview (workbench);
  reference_counts (pipeline, 880000, 900000, &ref);
  g_assert_cmpuint (preview->n_kept, ==, ref.n_kept);

  /* Undo the window change, then redo it */
  evs_workbench_commit (workbench);
  g_assert_true (evs_workbench_get_can_undo (workbench));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.undo", NULL));
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
  g_object_get (evs_pipeline_get_filter (pipeline, 0), "window-us", &window_us, NULL);
  g_assert_cmpuint (window_us, ==, 5000);
  g_assert_true (evs_workbench_get_can_redo (workbench));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.redo", NULL));
  g_object_get (evs_pipeline_get_filter (pipeline, 0), "window-us", &window_us, NULL);
  g_assert_cmpuint (window_us, ==, 2500);
  /* Undo twice: back to the empty pipeline */
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.undo", NULL);
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.undo", NULL);
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 0);
  g_assert_false (evs_workbench_get_can_undo (workbench));
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.redo", NULL);
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.redo", NULL);
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);

  /* Reorder and remove */
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.add-filter", "s", "refractory");
  g_assert_cmpstr (evs_filter_get_type_name (evs_pipeline_get_filter (pipeline, 1)), ==,
                   "refractory");
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.move-up", "u", 1);
  g_assert_cmpstr (evs_filter_get_type_name (evs_pipeline_get_filter (pipeline, 0)), ==,
                   "refractory");
  evs_filter_set_enabled (evs_pipeline_get_filter (pipeline, 0), FALSE);
  wait_preview (workbench);
  g_assert_cmpstr (evs_pipeline_panel_get_row_subtitle (panel, 0), ==, "Disabled");

  /* A time filter's "no bound" survives its spin buttons */
  {
    gint64 start_us, end_us;

    gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.add-filter", "s", "time");
    g_object_get (evs_pipeline_get_filter (pipeline, 2), "start-us", &start_us, "end-us", &end_us,
                  NULL);
    g_assert_cmpint (start_us, ==, 0);
    g_assert_cmpint (end_us, ==, G_MAXINT64);
    gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.remove", "u", 2);
  }

  /* Presets round-trip through the ARCHITECTURE.md JSON */
  json_before = evs_pipeline_to_string (pipeline, FALSE);
  g_assert_true (evs_workbench_save_preset (workbench, preset, NULL));
  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.remove", "u", 0);
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
  g_assert_true (evs_workbench_load_preset (workbench, preset, NULL));
  json_after = evs_pipeline_to_string (pipeline, FALSE);
  g_assert_cmpstr (json_before, ==, json_after);
  /* Loading is an undoable edit, also through the window's Ctrl+Z action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.redo", NULL));
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 2);

  /* Compare modes, through the window's action */
  gtk_widget_activate_action (GTK_WIDGET (window), "workbench.compare-mode", "s", "side-by-side");
  g_assert_cmpint (evs_workbench_get_compare_mode (workbench), ==, EVS_COMPARE_SIDE_BY_SIDE);
  gtk_widget_activate_action (GTK_WIDGET (window), "workbench.compare-mode", "s", "raw");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (frame_view)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (get_view (window))));

  gtk_window_destroy (GTK_WINDOW (window));
}

static gboolean
in_window (gsize i)
{
  return all_events->t[i] >= 1480000 && all_events->t[i] < 1500000;
}

static void
assert_mask (EvsHotPixelsDialog *dialog,
             const guint8       *expected)
{
  g_autofree guint32 *pixels = NULL;
  guint n = 0, n_expected = 0;

  pixels = evs_hot_pixels_dialog_get_mask (dialog, &n);
  for (guint i = 0; i < WIDTH * HEIGHT; i++)
    n_expected += expected[i];
  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_true (expected[(pixels[i] >> 16) * WIDTH + (pixels[i] & 0xFFFF)]);
}

/* Clicks the map's pixel (x, y): its centre in the GtkPicture, which fits
 * the sensor keeping the aspect ratio, centred */
static void
click_pixel (GtkWidget *picture,
             guint      x,
             guint      y)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (picture);
  GtkGesture *click = NULL;
  double w = gtk_widget_get_width (picture), h = gtk_widget_get_height (picture);
  double scale = MIN (w / WIDTH, h / HEIGHT);
  double x0 = (w - ceil (WIDTH * scale)) / 2, y0 = floor ((h - ceil (HEIGHT * scale)) / 2);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c))
        click = GTK_GESTURE (c);
    }
  g_assert_nonnull (click);
  g_assert_cmpfloat (scale, >, 0.5);
  g_signal_emit_by_name (click, "pressed", 1, x0 + (x + 0.5) * scale, y0 + (y + 0.5) * scale);
}

/* Clicks toggle exactly the clicked sensor pixel in the mask; the mask
 * survives save → load as text and PNG; applied, the preview drops exactly
 * the masked pixels' events */
static void
test_hot_pixel_mask (EvsHotPixelsDialog *dialog,
                     EvsWorkbench       *workbench,
                     const guint32      *counts,
                     double              limit)
{
  EvsPipeline *pipeline = evs_workbench_get_pipeline (workbench);
  EvsFilter *hot = evs_pipeline_get_filter (pipeline, 0);
  g_autofree guint8 *expected = g_malloc0 (WIDTH * HEIGHT);
  g_autofree guint8 *saved = NULL;
  g_autofree char *text_path = g_build_filename (tmp_dir, "mask.txt", NULL);
  g_autofree char *png_path = g_build_filename (tmp_dir, "mask.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *mask_prop = NULL;
  GtkWidget *picture = find_widget (GTK_WIDGET (dialog), GTK_TYPE_PICTURE, NULL);
  gint added = -1, removed = -1;
  EvsPreview *preview;
  guint64 expected_removed = 0;

  /* A quiet pixel and a hot one, both with events in the previewed window */
  for (gsize i = 0; i < all_events->n_events && (added < 0 || removed < 0); i++)
    if (in_window (i))
      {
        guint p = all_events->y[i] * WIDTH + all_events->x[i];

        if (counts[p] <= limit && added < 0 && all_events->x[i] > 0 && all_events->y[i] > 0)
          added = p;
        else if (counts[p] > limit && removed < 0)
          removed = p;
      }
  g_assert_cmpint (added, >=, 0);
  g_assert_cmpint (removed, >=, 0);
  g_test_message ("clicking (%d, %d) into the mask and (%d, %d) out of it", added % WIDTH,
                  added / WIDTH, removed % WIDTH, removed / WIDTH);

  for (guint i = 0; i < WIDTH * HEIGHT; i++)
    expected[i] = counts[i] > limit;
  assert_mask (dialog, expected);

  WAIT_UNTIL (gtk_widget_get_width (picture) > 0);
  click_pixel (picture, added % WIDTH, added / WIDTH);
  expected[added] = 1;
  assert_mask (dialog, expected);
  click_pixel (picture, removed % WIDTH, removed / WIDTH);
  expected[removed] = 0;
  assert_mask (dialog, expected);
  /* A second click undoes, a third redoes */
  click_pixel (picture, added % WIDTH, added / WIDTH);
  expected[added] = 0;
  assert_mask (dialog, expected);
  click_pixel (picture, added % WIDTH, added / WIDTH);
  expected[added] = 1;
  assert_mask (dialog, expected);
  WAIT_UNTIL (evs_hot_pixels_dialog_get_ready (dialog));

  /* Save → change → load gives the saved mask back, as text and as PNG */
  saved = g_memdup2 (expected, WIDTH * HEIGHT);
  g_assert_true (evs_hot_pixels_dialog_save_mask (dialog, png_path, &error));
  g_assert_no_error (error);
  g_assert_true (evs_hot_pixels_dialog_save_mask (dialog, text_path, &error));
  g_assert_no_error (error);
  click_pixel (picture, added % WIDTH - 1, added / WIDTH - 1);
  expected[added - WIDTH - 1] = !expected[added - WIDTH - 1];
  assert_mask (dialog, expected);
  g_assert_true (evs_hot_pixels_dialog_load_mask (dialog, png_path, &error));
  g_assert_no_error (error);
  assert_mask (dialog, saved);
  click_pixel (picture, added % WIDTH, added / WIDTH);
  g_assert_true (evs_hot_pixels_dialog_load_mask (dialog, text_path, &error));
  g_assert_no_error (error);
  assert_mask (dialog, saved);
  {
    g_autofree char *contents = NULL;
    g_autofree char *line = g_strdup_printf ("\n%d %d\n", added % WIDTH, added / WIDTH);

    g_assert_true (g_file_get_contents (text_path, &contents, NULL, &error));
    g_assert_nonnull (strstr (contents, line));
  }
  WAIT_UNTIL (evs_hot_pixels_dialog_get_ready (dialog));

  /* Apply: the filter takes the mask file and the preview drops exactly its pixels' events */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "hot-pixels.apply", NULL));
  g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
  g_object_get (hot, "mask", &mask_prop, NULL);
  g_assert_cmpstr (mask_prop, ==, text_path);
  g_assert_true (evs_hot_pixels_filter_is_hot (EVS_HOT_PIXELS_FILTER (hot), added % WIDTH,
                                               added / WIDTH));
  g_assert_false (evs_hot_pixels_filter_is_hot (EVS_HOT_PIXELS_FILTER (hot), removed % WIDTH,
                                                removed / WIDTH));
  preview = wait_preview (workbench);
  for (gsize i = 0; i < all_events->n_events; i++)
    if (in_window (i) && saved[all_events->y[i] * WIDTH + all_events->x[i]])
      expected_removed++;
  g_assert_cmpuint (preview->stages[0].in - preview->stages[0].out, ==, expected_removed);

  /* A new hot-pixel view shows the pipeline's mask */
  {
    EvsHotPixelsDialog *again = evs_hot_pixels_dialog_new (NULL, workbench);

    WAIT_UNTIL (evs_hot_pixels_dialog_get_ready (again));
    assert_mask (again, saved);
    gtk_window_destroy (GTK_WINDOW (again));
  }
}

/* A hot-pixel filter learning from whole-recording counts: the preview
 * gets them from the workbench's counting pass, as an export's first pass */
static void
test_hot_pixels (void)
{
  EvsWindow *window = open_window ();
  EvsWorkbench *workbench = evs_window_get_workbench (window);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (workbench);
  g_autoptr(EvsPipeline) reference = NULL;
  g_autofree guint32 *counts = g_new0 (guint32, WIDTH * HEIGHT);
  g_autoptr(EvsEventChunk) part = evs_event_chunk_new (4096);
  g_autofree guint8 *keep = g_malloc (4096);
  EvsFilter *hot;
  EvsPreview *preview;
  GBytes *bytes;
  guint w, h;
  gint64 duration;
  guint64 n_kept = 0, n_in = 0;

  gtk_widget_activate_action (GTK_WIDGET (get_panel (window)), "pipeline.add-filter", "s",
                              "hot_pixels");
  hot = evs_pipeline_get_filter (pipeline, 0);
  g_object_set (hot, "max-rate-hz", 2.0, NULL);
  g_assert_true (evs_pipeline_needs_first_pass (pipeline));
  WAIT_UNTIL (evs_workbench_get_counts (workbench, &w, &h, &duration) != NULL);
  preview = wait_preview (workbench);

  /* The counts are the whole recording's */
  bytes = evs_workbench_get_counts (workbench, &w, &h, &duration);
  g_assert_cmpuint (w, ==, WIDTH);
  g_assert_cmpuint (h, ==, HEIGHT);
  for (gsize i = 0; i < all_events->n_events; i++)
    counts[all_events->y[i] * WIDTH + all_events->x[i]]++;
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), counts,
                   WIDTH * HEIGHT * sizeof (guint32));
  g_assert_cmpint (duration, ==, all_events->t[all_events->n_events - 1] - all_events->t[0] + 1);

  /* The preview equals the learnt filter over the whole stream, in the window */
  reference = evs_pipeline_copy (pipeline);
  evs_pipeline_set_geometry (reference, WIDTH, HEIGHT);
  evs_pipeline_learn_counts (reference, counts, WIDTH, HEIGHT, duration);
  for (gsize start = 0; start < all_events->n_events; start += 4096)
    {
      gsize n = MIN (4096, all_events->n_events - start);

      evs_event_chunk_clear (part);
      evs_event_chunk_append_range (part, all_events, start, n);
      evs_pipeline_process_mask (reference, part, keep, NULL);
      for (gsize i = 0; i < n; i++)
        if (part->t[i] >= 1480000 && part->t[i] < 1500000)
          {
            n_in++;
            n_kept += keep[i];
          }
    }
  g_test_message ("hot pixels: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " kept", n_kept, n_in);
  g_assert_cmpuint (n_kept, <, n_in);
  g_assert_cmpuint (n_kept, >, 0);
  g_assert_cmpuint (preview->n_in, ==, n_in);
  g_assert_cmpuint (preview->n_kept, ==, n_kept);

  /* The hot-pixel view: drag the threshold on the histogram, apply it */
  {
    EvsHotPixelsDialog *dialog = evs_hot_pixels_dialog_new (GTK_WINDOW (window), workbench);
    GtkWidget *area;
    GtkGesture *gesture = NULL;
    g_autoptr(GListModel) controllers = NULL;
    double threshold, expected_hot = 0;

    gtk_window_present (GTK_WINDOW (dialog));
    g_assert_cmpfloat (evs_hot_pixels_dialog_get_threshold (dialog), ==, 2.0);
    WAIT_UNTIL (evs_hot_pixels_dialog_get_ready (dialog));
    area = find_widget (GTK_WIDGET (dialog), GTK_TYPE_DRAWING_AREA, "histogram");
    WAIT_UNTIL (gtk_widget_get_width (area) > 0);
    controllers = gtk_widget_observe_controllers (area);
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_DRAG (c))
          gesture = GTK_GESTURE (c);
      }
    g_assert_nonnull (gesture);
    /* The histogram's x axis is log rate from the lowest non-zero rate to
     * the highest: drag to 90 % of it */
    {
      guint32 lo = G_MAXUINT32, hi = 0;
      double log_lo, log_hi, expected;

      for (guint i = 0; i < WIDTH * HEIGHT; i++)
        if (counts[i] > 0)
          {
            lo = MIN (lo, counts[i]);
            hi = MAX (hi, counts[i]);
          }
      log_lo = log10 (lo * 1e6 / duration);
      log_hi = log10 (hi * 1e6 / duration);
      expected = pow (10.0, log_lo + 0.9 * (log_hi - log_lo));
      g_signal_emit_by_name (gesture, "drag-begin", gtk_widget_get_width (area) * 0.2, 10.0);
      g_signal_emit_by_name (gesture, "drag-update", gtk_widget_get_width (area) * 0.7, 0.0);
      threshold = evs_hot_pixels_dialog_get_threshold (dialog);
      g_test_message ("rates %g … %g Hz, threshold dragged to %g Hz", pow (10, log_lo),
                      pow (10, log_hi), threshold);
      g_assert_cmpfloat_with_epsilon (threshold / expected, 1.0, 1e-9);
      g_assert_cmpfloat (threshold, >, 2.0);
    }
    WAIT_UNTIL (evs_hot_pixels_dialog_get_ready (dialog));
    for (guint i = 0; i < WIDTH * HEIGHT; i++)
      expected_hot += counts[i] > threshold * duration / 1e6;
    g_assert_cmpuint (evs_hot_pixels_dialog_get_n_hot (dialog), ==, (guint64) expected_hot);

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "hot-pixels.apply", NULL));
    g_assert_cmpuint (evs_pipeline_get_n_filters (pipeline), ==, 1);
    g_object_get (hot, "max-rate-hz", &threshold, NULL);
    g_assert_cmpfloat (threshold, ==, evs_hot_pixels_dialog_get_threshold (dialog));
    preview = wait_preview (workbench);
    /* The preview's hot-pixel stage removed exactly the events of the dialog's hot pixels */
    {
      guint64 expected_removed = 0;

      for (gsize i = 0; i < all_events->n_events; i++)
        if (all_events->t[i] >= 1480000 && all_events->t[i] < 1500000
            && counts[all_events->y[i] * WIDTH + all_events->x[i]] > threshold * duration / 1e6)
          expected_removed++;
      g_assert_cmpuint (preview->stages[0].in - preview->stages[0].out, ==, expected_removed);
    }

    test_hot_pixel_mask (dialog, workbench, counts, threshold * duration / 1e6);
    gtk_window_destroy (GTK_WINDOW (dialog));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkGesture *
get_drag_gesture (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_DRAG (controller))
        return GTK_GESTURE (controller);
    }
  return NULL;
}

static void
drag (GtkGesture *gesture,
      double      x,
      double      y,
      double      dx,
      double      dy)
{
  g_signal_emit_by_name (gesture, "drag-begin", x, y);
  g_signal_emit_by_name (gesture, "drag-update", dx / 2, dy / 2);
  g_signal_emit_by_name (gesture, "drag-update", dx, dy);
  g_signal_emit_by_name (gesture, "drag-end", dx, dy);
}

static void
assert_rect (EvsRoiFilter *roi,
             guint         i,
             guint         x_min,
             guint         x_max,
             guint         y_min,
             guint         y_max)
{
  guint n_rects;
  const EvsRoiRect *rects = evs_roi_filter_get_rects (roi, &n_rects);

  g_assert_cmpuint (i, <, n_rects);
  g_assert_cmpuint (rects[i].x_min, ==, x_min);
  g_assert_cmpuint (rects[i].x_max, ==, x_max);
  g_assert_cmpuint (rects[i].y_min, ==, y_min);
  g_assert_cmpuint (rects[i].y_max, ==, y_max);
}

/* The widget's own snapshot drawn into an image (the cairo renderer's
 * pixels, without a window), and the pixels of the ROI colour in columns
 * [x0, x1) */
static guint
count_roi_pixels (GtkWidget *widget,
                  double     x0,
                  double     x1)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w, h);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_t *cr = cairo_create (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint n = 0;

  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  gsk_render_node_draw (node, cr);
  gsk_render_node_unref (node);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  for (int y = 0; y < h; y++)
    {
      const guint8 *data = cairo_image_surface_get_data (surface);
      const guint32 *row = (const guint32 *) (gconstpointer) (data + (gsize) y * stride);

      for (int x = MAX (0, (int) x0); x < MIN (w, (int) x1); x++)
        n += row[x] == 0xff33ff66u; /* rgb (0.2, 1.0, 0.4) */
    }
  cairo_surface_destroy (surface);
  return n;
}

static void
test_roi_drag (void)
{
  EvsWindow *window = open_window ();
  EvsWorkbench *workbench = evs_window_get_workbench (window);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (workbench);
  EvsPreviewView *view = get_view (window);
  GtkGesture *gesture;
  EvsRoiFilter *roi;
  EvsPreview *preview;
  double w, h, scale, ox, oy;
  guint n_rects;
  guint64 inside = 0, inside_on = 0;

  /* A pipeline with a denoiser; the ROI goes in front of it */
  gtk_widget_activate_action (GTK_WIDGET (get_panel (window)), "pipeline.add-filter", "s",
                              "background_activity");
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (view)) > 100);
  wait_preview (workbench);

  w = gtk_widget_get_width (GTK_WIDGET (view));
  h = gtk_widget_get_height (GTK_WIDGET (view));
  /* Fitted, centred, origin on whole pixels */
  scale = MIN (w / WIDTH, h / HEIGHT);
  ox = round ((w - WIDTH * scale) / 2);
  oy = round ((h - HEIGHT * scale) / 2);
  g_test_message ("view %gx%g, scale %g, origin %g,%g", w, h, scale, ox, oy);

  gesture = get_drag_gesture (GTK_WIDGET (view));
  g_assert_nonnull (gesture);

  /* Draw: from the middle of sensor pixel (100, 50) over 200 × 100 pixels */
  drag (gesture, ox + 100.5 * scale, oy + 50.5 * scale, 200 * scale, 100 * scale);
  roi = evs_workbench_find_roi (workbench, NULL);
  g_assert_nonnull (roi);
  g_assert_true (EVS_FILTER (roi) == evs_pipeline_get_filter (pipeline, 0));
  evs_roi_filter_get_rects (roi, &n_rects);
  g_assert_cmpuint (n_rects, ==, 1);
  assert_rect (roi, 0, 100, 300, 50, 150);
  g_assert_cmpint (evs_preview_view_get_selected_roi (view), ==, 0);

  /* Move it by (10, 5) from inside */
  drag (gesture, ox + 200.5 * scale, oy + 100.5 * scale, 10 * scale, 5 * scale);
  assert_rect (roi, 0, 110, 310, 55, 155);

  /* Resize from the corner handle: 20 pixels wider */
  drag (gesture, ox + 311 * scale, oy + 156 * scale, 20 * scale, 0);
  assert_rect (roi, 0, 110, 330, 55, 155);

  /* A second rectangle, then delete it (it is selected) */
  drag (gesture, ox + 500.5 * scale, oy + 300.5 * scale, 50 * scale, 40 * scale);
  evs_roi_filter_get_rects (roi, &n_rects);
  g_assert_cmpuint (n_rects, ==, 2);
  assert_rect (roi, 1, 500, 550, 300, 340);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "roi.delete", NULL));
  evs_roi_filter_get_rects (roi, &n_rects);
  g_assert_cmpuint (n_rects, ==, 1);
  assert_rect (roi, 0, 110, 330, 55, 155);

  /* ROI statistics: the ROI stage's output is the raw events inside */
  preview = wait_preview (workbench);
  for (gsize i = 0; i < all_events->n_events; i++)
    {
      gint64 t = all_events->t[i];

      if (t >= 1480000 && t < 1500000 && all_events->x[i] >= 110 && all_events->x[i] <= 330
          && all_events->y[i] >= 55 && all_events->y[i] <= 155)
        {
          inside++;
          inside_on += all_events->p[i] != 0;
        }
    }
  g_assert_cmpuint (inside, >, 0);
  g_assert_cmpuint (preview->stages[0].out, ==, inside);
  g_assert_cmpuint (preview->stages[0].out_on, ==, inside_on);
  g_assert_nonnull (strstr (evs_pipeline_panel_get_row_subtitle (get_panel (window), 0), "ROI: "));

  /* The ROI is shown over the raw frame too: in Raw mode (the viewer's
   * frame view) and in the raw half of Raw | Filtered */
  {
    GtkWidget *frame_view = GTK_WIDGET (evs_window_get_frame_view (window));
    double fscale, perimeter;
    guint n_raw, n_filtered;

    evs_workbench_set_compare_mode (workbench, EVS_COMPARE_SIDE_BY_SIDE);
    WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (view)) > 100);
    fscale = MIN (w / 2 / WIDTH, h / HEIGHT);
    perimeter = 2 * (221 + 101) * fscale;
    n_raw = count_roi_pixels (GTK_WIDGET (view), 0, w / 2 - 2);
    n_filtered = count_roi_pixels (GTK_WIDGET (view), w / 2 + 2, w);
    g_test_message ("side by side: %u ROI pixels in the raw half, %u in the filtered, "
                    "perimeter %g", n_raw, n_filtered, perimeter);
    g_assert_cmpfloat (n_raw, >=, 0.9 * perimeter);
    g_assert_cmpfloat (n_filtered, >=, 0.9 * perimeter);

    evs_workbench_set_compare_mode (workbench, EVS_COMPARE_RAW);
    WAIT_UNTIL (gtk_widget_get_mapped (frame_view) && gtk_widget_get_width (frame_view) > 100);
    fscale = evs_frame_view_get_scale (EVS_FRAME_VIEW (frame_view));
    perimeter = 2 * (221 + 101) * fscale;
    n_raw = count_roi_pixels (frame_view, 0, gtk_widget_get_width (frame_view));
    g_test_message ("raw: %u ROI pixels, perimeter %g", n_raw, perimeter);
    g_assert_cmpfloat (n_raw, >=, 0.9 * perimeter);
    g_assert_cmpfloat (n_raw, <=, 1.1 * perimeter + 8);

    /* Removing the ROI removes the overlay */
    evs_workbench_set_rois (workbench, NULL, 0);
    g_assert_cmpuint (count_roi_pixels (frame_view, 0, gtk_widget_get_width (frame_view)), ==, 0);
    {
      EvsRoiRect r = { .x_min = 110, .x_max = 330, .y_min = 55, .y_max = 155 };

      evs_workbench_set_rois (workbench, &r, 1);
    }
    evs_workbench_set_compare_mode (workbench, EVS_COMPARE_FILTERED);
    WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (view)));
  }

  /* Invert: the outside */
  g_object_set (roi, "invert", TRUE, NULL);
  preview = wait_preview (workbench);
  g_assert_cmpuint (preview->stages[0].out, ==, preview->n_in - inside);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
finished_cb (EvsExportDialog *dialog,
             gboolean         ok,
             const char      *message,
             int             *result)
{
  g_test_message ("export: %s", message);
  *result = ok ? 1 : 0;
}

static void
test_export (void)
{
  EvsWindow *window = open_window ();
  EvsWorkbench *workbench = evs_window_get_workbench (window);
  EvsPipelinePanel *panel = get_panel (window);
  EvsExportDialog *dialog;
  g_autofree char *out_gui = g_build_filename (tmp_dir, "gui.dat", NULL);
  g_autofree char *out_job = g_build_filename (tmp_dir, "job.dat", NULL);
  g_autofree char *out_cli = g_build_filename (tmp_dir, "cli.dat", NULL);
  g_autofree char *preset = g_build_filename (tmp_dir, "export-preset.json", NULL);
  g_autoptr(EvsEventChunk) gui = NULL;
  g_autoptr(EvsEventChunk) job_events = NULL;
  g_autoptr(EvsPipeline) loaded = NULL;
  g_autoptr(EvsExportJob) job = NULL;
  g_autoptr(GError) error = NULL;
  EvsRoiRect rect = { 50, 400, 20, 300 };
  const char *cli = g_getenv ("EVSCOPE_CLI");
  int result = -1;
  GList *toplevels;
  gboolean found = FALSE;

  gtk_widget_activate_action (GTK_WIDGET (panel), "pipeline.add-filter", "s", "stcf");
  evs_workbench_set_rois (workbench, &rect, 1);
  g_assert_true (evs_workbench_save_preset (workbench, preset, &error));
  g_assert_no_error (error);

  /* win.export presents the dialog */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    found |= EVS_IS_EXPORT_DIALOG (l->data) && gtk_widget_get_visible (l->data);
  g_list_free (toplevels);
  g_assert_true (found);

  dialog = evs_export_dialog_new (GTK_WINDOW (window), evs_window_get_session (window));
  g_signal_connect (dialog, "finished", G_CALLBACK (finished_cb), &result);
  evs_export_dialog_set_format (dialog, EVS_FORMAT_DAT);
  evs_export_dialog_set_output_path (dialog, out_gui);
  evs_export_dialog_set_custom_range (dialog, 300000, 1700000);
  evs_export_dialog_set_apply_pipeline (dialog, TRUE);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "export.start", NULL));
  g_assert_true (evs_export_dialog_get_running (dialog));
  /* The main window stays usable meanwhile */
  evs_session_set_time (evs_window_get_session (window), 1000000);
  WAIT_UNTIL (result >= 0);
  g_assert_cmpint (result, ==, 1);
  g_assert_false (evs_export_dialog_get_running (dialog));
  g_assert_cmpfloat (evs_export_dialog_get_fraction (dialog), ==, 1.0);

  /* The same preset through the export engine directly */
  loaded = evs_pipeline_new_from_file (preset, &error);
  g_assert_no_error (error);
  job = evs_export_job_new (get_synth (), out_job);
  evs_export_job_set_format (job, EVS_FORMAT_DAT);
  evs_export_job_set_time_range (job, 300000, 1700000);
  evs_export_job_set_pipeline (job, loaded);
  g_assert_true (evs_export_job_run (job, NULL, &error));
  g_assert_no_error (error);

  gui = evs_test_read_all (out_gui, 4096, &error);
  g_assert_no_error (error);
  job_events = evs_test_read_all (out_job, 4096, &error);
  g_assert_no_error (error);
  g_test_message ("exported %zu events", gui->n_events);
  g_assert_cmpuint (gui->n_events, >, 0);
  g_assert_cmpuint (gui->n_events, <, all_events->n_events / 2);
  g_assert_cmpuint (gui->n_events, ==, job_events->n_events);
  evs_test_assert_chunks_equal (gui, 0, job_events, 0, gui->n_events);
  for (gsize i = 0; i < gui->n_events; i++)
    g_assert_true (gui->x[i] >= 50 && gui->x[i] <= 400 && gui->t[i] >= 300000
                   && gui->t[i] < 1700000);

  /* And through evscope-cli export --pipeline: the same events */
  if (cli == NULL)
    g_test_message ("EVSCOPE_CLI is not set: no CLI comparison");
  else
    {
      const char *argv[] = { cli, "export", get_synth (), out_cli, "--pipeline", preset,
                             "--start-us", "300000", "--end-us", "1700000", NULL };
      g_autofree char *err = NULL;
      g_autoptr(EvsEventChunk) cli_events = NULL;
      int status = 0;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                    &err, &status, &error);
      g_assert_no_error (error);
      g_test_message ("evscope-cli: %s", err);
      g_assert_true (g_spawn_check_wait_status (status, &error));
      g_assert_no_error (error);
      cli_events = evs_test_read_all (out_cli, 4096, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (cli_events->n_events, ==, gui->n_events);
      evs_test_assert_chunks_equal (gui, 0, cli_events, 0, gui->n_events);
    }

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  tmp_dir = evs_test_make_tmp_dir ();

  g_test_add_func ("/evs/workbench/preview-stcf", test_preview_stcf);
  g_test_add_func ("/evs/workbench/hot-pixels", test_hot_pixels);
  g_test_add_func ("/evs/workbench/roi-drag", test_roi_drag);
  g_test_add_func ("/evs/workbench/export", test_export);

  ret = g_test_run ();

  evs_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (synth_path);
  g_clear_pointer (&all_events, evs_event_chunk_unref);
  return ret;
}
