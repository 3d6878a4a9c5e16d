/* test-window.c
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
#include <glib/gstdio.h>

#include "evs-test-synth.h"
#include "evs-test-utils.h"
#include "evs-application.h"
#include "evs-window.h"

/* UI tests (Xvfb): open a recording in a real window, wait (bounded) for
 * the loader, drive the window's actions and check the session state and
 * the texture on show. */

#define WAIT_UNTIL(cond)                                                  \
  G_STMT_START {                                                          \
    gint64 _deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;     \
    while (!(cond))                                                       \
      {                                                                   \
        if (g_get_monotonic_time () > _deadline)                          \
          g_error ("Timed out waiting for: %s", #cond);                   \
        g_main_context_iteration (NULL, FALSE);                           \
        g_usleep (1000);                                                  \
      }                                                                   \
  } G_STMT_END

static char *tmp_dir;
static char *synth_path;

static const char *
get_synth (void)
{
  if (synth_path == NULL)
    {
      synth_path = g_build_filename (tmp_dir, "synth.dat", NULL);
      evs_test_write_synthetic (synth_path, EVS_FORMAT_DAT, 640, 480, 400000, 1000, 2000000, 9);
    }
  return synth_path;
}

static gsize
count_non_black (GdkTexture *texture)
{
  int w = gdk_texture_get_width (texture);
  int h = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) w * h * 4);
  gsize n = 0;

  gdk_texture_download (texture, data, w * 4);
  for (gsize i = 0; i < (gsize) w * h; i++)
    n += (data[4 * i] | data[4 * i + 1] | data[4 * i + 2]) != 0;

  return n;
}

static void
count_cb (guint *counter)
{
  (*counter)++;
}

static EvsWindow *
open_window (const char *path)
{
  EvsWindow *window = evs_window_new (NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  EvsSession *session = evs_window_get_session (window);

  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (evs_window_get_page (window), ==, "start");

  evs_window_open (window, file);
  WAIT_UNTIL (evs_session_get_indexed (session) && evs_session_get_frame (session) != NULL);

  return window;
}

static void
wait_for_frame_at (EvsSession *session,
                   gint64      t_end,
                   EvsViewMode mode)
{
  WAIT_UNTIL (evs_session_get_frame (session) != NULL
              && evs_session_get_frame (session)->t_end == t_end
              && evs_session_get_frame (session)->params.mode == mode);
}

static void
test_open_and_drive (void)
{
  EvsWindow *window = open_window (get_synth ());
  EvsSession *session = evs_window_get_session (window);
  EvsFrameView *view = evs_window_get_frame_view (window);
  EvsFrame *frame;
  GdkTexture *texture;
  gint64 t;
  guint n_frames;
  gulong frame_handler;

  /* First window: metadata and a 10 ms accumulation frame at the start */
  g_assert_cmpstr (evs_window_get_page (window), ==, "viewer");
  g_assert_true (evs_session_get_loaded (session));
  g_assert_cmpint (evs_session_get_t_first (session), ==, 1000);
  g_assert_cmpint (evs_session_get_t_last (session), ==, 1000 + 2000000 - 5);
  g_assert_cmpint (evs_session_get_window_us (session), ==, 10000);
  g_assert_cmpint (evs_session_get_time (session), ==, 11000);
  frame = evs_session_get_frame (session);
  g_assert_cmpuint (frame->width, ==, 640);
  g_assert_cmpuint (frame->height, ==, 480);
  g_assert_cmpint (frame->params.mode, ==, EVS_VIEW_MODE_ACCUMULATE);
  g_assert_cmpuint (frame->n_events, ==, 2000);
  WAIT_UNTIL (evs_frame_view_get_texture (view) != NULL);
  texture = evs_frame_view_get_texture (view);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 640);
  g_assert_cmpuint (count_non_black (texture), >, 500);
  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (view)));

  /* Seek through the timeline's action */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.seek", "x",
                                             (gint64) 1500000));
  g_assert_cmpint (evs_session_get_time (session), ==, 1500000);
  wait_for_frame_at (session, 1500000, EVS_VIEW_MODE_ACCUMULATE);
  g_assert_cmpuint (evs_session_get_frame (session)->n_events, ==, 2000);
  g_assert_cmpuint (count_non_black (evs_frame_view_get_texture (view)), >, 500);

  /* Seeking is clamped to the recording */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.seek", "x", G_GINT64_CONSTANT (99999999));
  g_assert_cmpint (evs_session_get_time (session), ==, evs_session_get_t_last (session) + 1);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.seek", "x", (gint64) 1500000);

  /* Step by one window */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step-forward", NULL);
  g_assert_cmpint (evs_session_get_time (session), ==, 1510000);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step-back", NULL);
  g_assert_cmpint (evs_session_get_time (session), ==, 1500000);

  /* View mode */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "time-surface");
  g_assert_cmpint (evs_session_get_view_mode (session), ==, EVS_VIEW_MODE_TIME_SURFACE);
  wait_for_frame_at (session, 1500000, EVS_VIEW_MODE_TIME_SURFACE);
  g_assert_cmpuint (evs_frame_count_non_background (evs_session_get_frame (session)), >, 500);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.view-mode", "s", "accumulate");
  g_assert_cmpint (evs_session_get_view_mode (session), ==, EVS_VIEW_MODE_ACCUMULATE);

  /* Zoom */
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (view)) > 0);
  g_assert_cmpfloat (evs_frame_view_get_zoom (view), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL);
  g_assert_cmpfloat (evs_frame_view_get_zoom (view), >, 0);
  g_assert_cmpfloat (evs_frame_view_get_scale (view), >, 0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-original", NULL);
  g_assert_cmpfloat (evs_frame_view_get_zoom (view), ==, 1.0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL);
  g_assert_cmpfloat_with_epsilon (evs_frame_view_get_zoom (view), 1.25, 1e-9);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  g_assert_cmpfloat (evs_frame_view_get_zoom (view), ==, 0);

  /* Timeline filled from the index */
  g_assert_cmpuint (evs_timeline_get_n_bins (evs_window_get_timeline (window)), >, 0);
  g_assert_cmpfloat (evs_timeline_get_max_rate (evs_window_get_timeline (window)), >, 100000);

  /* Window by event count */
  evs_session_set_window_events (session, 1000);
  evs_session_set_window_by_events (session, TRUE);
  WAIT_UNTIL (evs_session_get_frame (session)->params.window_events == 1000);
  g_assert_cmpuint (evs_session_get_frame (session)->n_events, ==, 1000);
  g_assert_cmpint (evs_session_get_window_span (session), ==, 5000);
  t = evs_session_get_time (session);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step-forward", NULL);
  g_assert_cmpint (evs_session_get_time (session), ==, t + 5000);
  evs_session_set_window_by_events (session, FALSE);

  /* Playback moves the cursor forward, and new frames keep arriving
   * (render results are not starved by the redraw of every frame) */
  t = evs_session_get_time (session);
  n_frames = 0;
  frame_handler = g_signal_connect_swapped (session, "notify::frame", G_CALLBACK (count_cb), &n_frames);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.playing", NULL);
  g_assert_true (evs_session_get_playing (session));
  WAIT_UNTIL (evs_session_get_time (session) > t + 20000 && n_frames >= 5);
  g_signal_handler_disconnect (session, frame_handler);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.playing", NULL);
  g_assert_false (evs_session_get_playing (session));

  /* Looping over a selected range: playback stays inside it */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.set-loop", "(xx)",
                              (gint64) 400000, (gint64) 420000);
  g_assert_cmpint (evs_session_get_loop_start (session), ==, 400000);
  g_assert_cmpint (evs_session_get_loop_end (session), ==, 420000);
  evs_session_set_speed (session, 2.0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.playing", NULL);
  /* The first frames jump into the range */
  WAIT_UNTIL (evs_session_get_time (session) >= 400000 && evs_session_get_time (session) <= 420000);
  {
    gboolean wrapped = FALSE;
    gint64 prev = evs_session_get_time (session);
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

    while (!wrapped)
      {
        gint64 now;

        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
        now = evs_session_get_time (session);
        g_assert_cmpint (now, >=, 400000);
        g_assert_cmpint (now, <=, 420000);
        wrapped = now < prev;
        prev = now;
      }
  }
  gtk_widget_activate_action (GTK_WIDGET (window), "win.playing", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-loop", NULL);
  g_assert_cmpint (evs_session_get_loop_end (session), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
load_failed_cb (EvsSession *session,
                GFile      *file,
                GError     *error,
                gpointer    user_data)
{
  g_test_message ("load-failed: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

static void
test_open_error (void)
{
  g_autofree char *garbage = g_build_filename (tmp_dir, "garbage.raw", NULL);
  EvsWindow *window = evs_window_new (NULL);
  EvsSession *session = evs_window_get_session (window);
  g_autoptr(GFile) bad = g_file_new_for_path (garbage);
  g_autoptr(GFile) good = g_file_new_for_path (get_synth ());
  gboolean failed = FALSE;

  g_assert_true (g_file_set_contents (garbage, "definitely not an event recording", -1, NULL));
  g_signal_connect (session, "load-failed", G_CALLBACK (load_failed_cb), &failed);
  gtk_window_present (GTK_WINDOW (window));

  evs_window_open (window, bad);
  WAIT_UNTIL (failed);
  g_assert_false (evs_session_get_loaded (session));
  g_assert_cmpstr (evs_window_get_page (window), ==, "start");
  /* Nothing stays half-open: no file, and the title is the application's */
  g_assert_null (evs_session_get_file (session));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Evscope");

  /* The window stays usable */
  evs_window_open (window, good);
  WAIT_UNTIL (evs_session_get_indexed (session) && evs_session_get_frame (session) != NULL);
  g_assert_cmpstr (evs_window_get_page (window), ==, "viewer");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Emits the window's GtkDropTarget "drop" with a file list, as GTK does
 * when files are dropped on it */
static gboolean
drop_files (EvsWindow *window,
            GSList    *files)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        target = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (target);
  g_assert_cmpuint (gtk_drop_target_get_actions (target) & GDK_ACTION_COPY, !=, 0);
  {
    gsize n_types = 0;
    const GType *types = gtk_drop_target_get_gtypes (target, &n_types);

    g_assert_cmpuint (n_types, ==, 1);
    g_assert_true (types[0] == GDK_TYPE_FILE_LIST);
  }
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 100.0, 100.0, &handled);
  return handled;
}

/* Dropping recordings on the window opens the (first) dropped file, on the
 * start page and over an open recording alike */
static void
test_drop (void)
{
  g_autofree char *other_path = g_build_filename (tmp_dir, "dropped.evt3.raw", NULL);
  g_autoptr(GFile) synth = g_file_new_for_path (get_synth ());
  g_autoptr(GFile) other = NULL;
  EvsWindow *window = evs_window_new (NULL);
  EvsSession *session = evs_window_get_session (window);
  GSList *files = NULL;
  g_autofree char *path = NULL;

  evs_test_write_synthetic (other_path, EVS_FORMAT_EVT3, 320, 240, 50000, 7000, 500000, 3);
  other = g_file_new_for_path (other_path);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_cmpstr (evs_window_get_page (window), ==, "start");

  /* Nothing to open */
  g_assert_false (drop_files (window, NULL));
  g_assert_null (evs_session_get_file (session));

  /* On the start page */
  files = g_slist_append (files, synth);
  g_assert_true (drop_files (window, files));
  g_slist_free (files);
  WAIT_UNTIL (evs_session_get_loaded (session) && evs_session_get_frame (session) != NULL);
  path = g_file_get_path (evs_session_get_file (session));
  g_assert_cmpstr (path, ==, get_synth ());
  g_assert_cmpint (evs_session_get_t_first (session), ==, 1000);
  g_assert_cmpuint (evs_session_get_frame (session)->width, ==, 640);
  g_assert_cmpuint (evs_session_get_frame (session)->n_events, >, 0);
  g_assert_cmpstr (evs_window_get_page (window), ==, "viewer");

  /* Over an open recording: the first of the dropped files replaces it */
  files = g_slist_append (NULL, other);
  files = g_slist_append (files, synth);
  g_assert_true (drop_files (window, files));
  g_slist_free (files);
  WAIT_UNTIL (evs_session_get_loaded (session) && evs_session_get_frame (session) != NULL
              && evs_session_get_frame (session)->width == 320);
  g_clear_pointer (&path, g_free);
  path = g_file_get_path (evs_session_get_file (session));
  g_assert_cmpstr (path, ==, other_path);
  g_assert_cmpint (evs_session_get_t_first (session), ==, 7000);
  g_assert_cmpuint (evs_session_get_frame (session)->height, ==, 240);
  g_assert_cmpuint (evs_session_get_frame (session)->n_events, >, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_fixture (void)
{
  g_autofree char *path = evs_test_fixture ("expelliarmus/NCARS_obj_004397_td.dat");
  EvsWindow *window;
  EvsFrame *frame;

  if (path == NULL)
    return;

  window = open_window (path);
  frame = evs_session_get_frame (evs_window_get_session (window));
  g_assert_cmpuint (frame->width, ==, 54);
  g_assert_cmpuint (frame->height, ==, 61);
  g_assert_cmpuint (frame->n_events, >, 0);
  WAIT_UNTIL (evs_frame_view_get_texture (evs_window_get_frame_view (window)) != NULL);
  g_assert_cmpuint (count_non_black (evs_frame_view_get_texture (evs_window_get_frame_view (window))),
                    >, 10);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_help_overlay (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/evscope/Evscope/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));
  gtk_window_destroy (GTK_WINDOW (overlay));
}

typedef struct
{
  GApplication *app;
  gboolean      shown;
} AppRun;

static gboolean
check_app_cb (gpointer user_data)
{
  AppRun *run = user_data;
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (run->app));

  if (EVS_IS_WINDOW (window))
    {
      EvsSession *session = evs_window_get_session (EVS_WINDOW (window));

      if (evs_session_get_indexed (session) && evs_session_get_frame (session) != NULL)
        {
          g_assert_cmpstr (evs_window_get_page (EVS_WINDOW (window)), ==, "viewer");
          run->shown = TRUE;
          g_application_quit (run->app);
        }
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
give_up_cb (gpointer user_data)
{
  g_application_quit (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

/* `evscope FILE`: the application opens FILE in a window. */
static void
test_application_open (void)
{
  g_autoptr(EvsApplication) app = evs_application_new ();
  char *argv[] = { (char *) "evscope", (char *) get_synth (), NULL };
  AppRun run = { G_APPLICATION (app), FALSE };
  guint check_id, give_up_id;
  int status;

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  check_id = g_timeout_add (20, check_app_cb, &run);
  give_up_id = g_timeout_add_seconds (30, give_up_cb, app);
  status = g_application_run (G_APPLICATION (app), 2, argv);
  g_clear_handle_id (&check_id, g_source_remove);
  g_clear_handle_id (&give_up_id, g_source_remove);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (run.shown);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  tmp_dir = evs_test_make_tmp_dir ();

  g_test_add_func ("/evs/window/open-and-drive", test_open_and_drive);
  g_test_add_func ("/evs/window/open-error", test_open_error);
  g_test_add_func ("/evs/window/drop", test_drop);
  g_test_add_func ("/evs/window/fixture", test_fixture);
  g_test_add_func ("/evs/window/help-overlay", test_help_overlay);
  g_test_add_func ("/evs/window/application-open", test_application_open);

  ret = g_test_run ();

  evs_test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (synth_path);
  return ret;
}
