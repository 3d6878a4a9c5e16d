/* evs-window.c
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

#define G_LOG_DOMAIN "evs-window"

#include "config.h"

#include "evs-window.h"
#include "evs-export-dialog.h"
#include "evs-hot-pixels-dialog.h"
#include "evs-pipeline-panel.h"
#include "evs-preview-view.h"
#include "evs-workbench.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

/* The viewer window: a start page, then the frame view with its overlay,
 * the timeline and the playback bar, and a sidebar with the view
 * parameters and the recording's metadata.  All state lives in the
 * EvsSession; the window binds widgets to it and turns actions into
 * session calls.  evs_window_update_actions() is the only place that
 * enables or disables actions. */

struct _EvsWindow
{
  AdwApplicationWindow  parent_instance;

  EvsSession           *session;
  GSettings            *settings;
  GBindingGroup        *loader_bindings;
  GCancellable         *demo_cancellable;
  guint                 tick_id;
  gint64                last_frame_time;

  /* Template children */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkWidget            *mode_box;
  GtkWidget            *sidebar_button;
  GtkProgressBar       *progress_bar;
  GtkStack             *stack;
  AdwStatusPage        *start_page;
  GtkLabel             *recent_label;
  GtkListBox           *recent_list;
  AdwFlap              *flap;
  AdwComboRow          *window_by_row;
  GtkWidget            *window_row;
  GtkWidget            *events_window_row;
  GtkSpinButton        *events_spin;
  GtkSpinButton        *window_spin;
  AdwComboRow          *style_row;
  AdwComboRow          *decay_row;
  GtkScale             *contrast_scale;
  GtkSpinButton        *tau_spin;
  AdwComboRow          *colormap_row;
  GtkSwitch            *split_switch;
  AdwActionRow         *format_row;
  AdwActionRow         *sensor_row;
  AdwActionRow         *events_row;
  AdwActionRow         *duration_row;
  AdwActionRow         *size_row;
  AdwActionRow         *path_row;
  AdwExpanderRow       *header_row;
  GPtrArray            *header_rows;
  const EvsRecordingInfo *header_info;
  EvsFrameView         *frame_view;
  GtkLabel             *overlay_label;
  GtkLabel             *inspector_label;
  EvsTimeline          *timeline;
  GtkToggleButton      *play_button;
  GtkLabel             *time_label;
  GtkDropDown          *speed_dropdown;

  /* The workbench (evs-workbench.c, evs-pipeline-panel.c, evs-preview-view.c) */
  EvsWorkbench         *workbench;
  EvsPipelinePanel     *pipeline_panel;
  EvsPreviewView       *preview_view;
  EvsExportDialog      *export_dialog;
  EvsHotPixelsDialog   *hot_pixels_dialog;
};

enum {
  PROP_0,
  PROP_VIEW_MODE,
  PROP_PLAYING,
  PROP_SIDEBAR_VISIBLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const double speeds[] = { 0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 5, 10, 100 };

G_DEFINE_FINAL_TYPE (EvsWindow, evs_window, ADW_TYPE_APPLICATION_WINDOW)

static void
evs_window_update_actions (EvsWindow *self)
{
  gboolean loaded = evs_session_get_loaded (self->session);
  gboolean indexed = evs_session_get_indexed (self->session);
  gboolean has_frame = evs_session_get_frame (self->session) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-frame", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-in", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-out", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-fit", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-original", has_frame);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step-forward", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step-back", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.seek", indexed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.set-loop", indexed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-loop", indexed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.playing", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.hot-pixels", loaded);
}

/* Formatting */

static char *
format_seconds (gint64 us)
{
  return g_strdup_printf ("%.6f s", us / 1e6);
}

static char *
format_count (guint64 n)
{
  /* Digit grouping from the locale */
  return g_strdup_printf ("%'" G_GUINT64_FORMAT, n);
}

static char *
format_duration (gint64 us)
{
  if (us < 1000)
    return g_strdup_printf ("%" G_GINT64_FORMAT " µs", us);
  if (us < 1000000)
    return g_strdup_printf ("%g ms", us / 1e3);
  return g_strdup_printf ("%g s", us / 1e6);
}

static char *
format_rate (double events_per_s)
{
  if (events_per_s >= 1e6)
    return g_strdup_printf (_("%.2f Mev/s"), events_per_s / 1e6);
  if (events_per_s >= 1e3)
    return g_strdup_printf (_("%.1f kev/s"), events_per_s / 1e3);
  return g_strdup_printf (_("%.0f ev/s"), events_per_s);
}

static void
update_title (EvsWindow *self)
{
  GFile *file = evs_session_get_file (self->session);
  EvsLoader *loader = evs_session_get_loader (self->session);
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  const EvsRecordingInfo *info = loader ? evs_loader_get_info (loader) : NULL;

  if (file == NULL || loader == NULL)
    {
      adw_window_title_set_title (self->window_title, _("Evscope"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("Evscope"));
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      return;
    }

  name = g_file_get_basename (file);
  if (!evs_session_get_indexed (self->session))
    subtitle = g_strdup_printf (_("%s — indexing %.0f %%"),
                                info ? evs_format_get_display_name (info->format) : _("Opening"),
                                evs_loader_get_fraction (loader) * 100);
  else
    subtitle = g_strdup (evs_format_get_display_name (info->format));

  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_window_set_title (GTK_WINDOW (self), name);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar),
                          evs_session_get_loaded (self->session)
                          && !evs_session_get_indexed (self->session));
}

static void
update_header (EvsWindow              *self,
               const EvsRecordingInfo *info)
{
  guint n;

  if (info == self->header_info)
    return;
  self->header_info = info;

  for (guint i = 0; i < self->header_rows->len; i++)
    adw_expander_row_remove (self->header_row, g_ptr_array_index (self->header_rows, i));
  g_ptr_array_set_size (self->header_rows, 0);

  n = info && info->header_keys ? g_strv_length (info->header_keys) : 0;
  for (guint i = 0; i < n; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->header_keys[i]);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   info->header_values ? info->header_values[i] : "");
      gtk_widget_add_css_class (row, "property");
      adw_expander_row_add_row (self->header_row, row);
      g_ptr_array_add (self->header_rows, row);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->header_row), n > 0);
  if (info != NULL && info->detail != NULL)
    adw_expander_row_set_subtitle (self->header_row, info->detail);
  else
    adw_expander_row_set_subtitle (self->header_row, NULL);
}

static void
update_info (EvsWindow *self)
{
  EvsLoader *loader = evs_session_get_loader (self->session);
  const EvsRecordingInfo *info = loader ? evs_loader_get_info (loader) : NULL;
  g_autofree char *sensor = NULL;
  g_autofree char *events = NULL;
  g_autofree char *range = NULL;
  g_autofree char *size = NULL;
  g_autofree char *path = NULL;

  update_header (self, info);
  if (info == NULL)
    return;

  if (info->geometry_known)
    sensor = g_strdup_printf (_("%u × %u px"), info->width, info->height);
  else
    sensor = g_strdup_printf (_("Not in the file; events span %u × %u px"),
                              evs_loader_get_width (loader), evs_loader_get_height (loader));

  if (evs_session_get_indexed (self->session))
    {
      EvsIndex *index = evs_loader_get_index (loader);
      guint64 n = evs_index_get_n_events (index);
      guint64 on = evs_index_get_n_on (index);
      g_autofree char *t0 = format_seconds (evs_session_get_t_first (self->session));
      g_autofree char *t1 = format_seconds (evs_session_get_t_last (self->session));

      g_autofree char *n_str = format_count (n);
      g_autofree char *on_str = format_count (on);
      g_autofree char *off_str = format_count (n - on);

      /* Translators: event counts: all, ON, OFF */
      events = g_strdup_printf (_("%s (%s ON, %s OFF)"), n_str, on_str, off_str);
      range = g_strdup_printf ("%s – %s", t0, t1);
    }
  else
    {
      g_autofree char *n_str = format_count (evs_loader_get_n_events (loader));

      events = g_strdup_printf (_("Counting… %s"), n_str);
      range = g_strdup (_("Indexing…"));
    }

  size = g_format_size (info->file_size);
  path = info->path ? g_filename_display_name (info->path) : g_strdup ("");

  adw_action_row_set_subtitle (self->format_row, evs_format_get_display_name (info->format));
  adw_action_row_set_subtitle (self->sensor_row, sensor);
  adw_action_row_set_subtitle (self->events_row, events);
  adw_action_row_set_subtitle (self->duration_row, range);
  adw_action_row_set_subtitle (self->size_row, size);
  adw_action_row_set_subtitle (self->path_row, path);
}

static void
update_overlay (EvsWindow *self)
{
  EvsFrame *frame = evs_session_get_frame (self->session);
  g_autofree char *t = NULL;
  g_autofree char *window = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *count = NULL;
  g_autofree char *text = NULL;
  g_autofree char *total = NULL;
  g_autofree char *now = NULL;

  /* The playback bar counts from the start of the recording. */
  now = format_seconds (evs_session_get_time (self->session) - evs_session_get_t_first (self->session));
  if (evs_session_get_indexed (self->session))
    {
      total = format_seconds (evs_session_get_t_last (self->session) + 1
                              - evs_session_get_t_first (self->session));
      text = g_strdup_printf ("%s / %s", now, total);
    }
  else
    text = g_strdup (now);
  gtk_label_set_label (self->time_label, text);
  g_clear_pointer (&text, g_free);

  if (frame == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->overlay_label), FALSE);
      return;
    }

  t = format_seconds (frame->t_end);
  if (frame->params.window_events > 0)
    {
      g_autofree char *n = format_count (frame->params.window_events);
      g_autofree char *span = format_duration (frame->t_end - frame->t_start);

      /* Translators: an event-count window: events, and the time they span */
      window = g_strdup_printf (_("%s events (%s)"), n, span);
    }
  else
    window = format_duration (frame->t_end - frame->t_start);
  rate = format_rate (frame->n_events / ((frame->t_end - frame->t_start) / 1e6));
  /* Translators: overlay: time at the window end, window length, events, rate */
  count = format_count (frame->n_events);
  text = g_strdup_printf (_("t %s  ·  window %s  ·  %s events  ·  %s"), t, window, count, rate);
  gtk_label_set_label (self->overlay_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->overlay_label), TRUE);
}

static void
update_page (EvsWindow *self)
{
  gboolean loaded = evs_session_get_loaded (self->session);

  gtk_stack_set_visible_child_name (self->stack, loaded ? "viewer" : "start");
  gtk_widget_set_visible (GTK_WIDGET (self->mode_box), loaded);
  gtk_widget_set_visible (GTK_WIDGET (self->sidebar_button), loaded);
}

static void
session_state_cb (EvsWindow *self)
{
  update_page (self);
  update_title (self);
  update_info (self);
  update_overlay (self);
  evs_window_update_actions (self);
}

static void
frame_cb (EvsWindow *self)
{
  update_overlay (self);
  evs_window_update_actions (self);
}

static void
loader_progress_cb (EvsWindow *self)
{
  update_title (self);
  update_info (self);
}

static void
loader_changed_cb (EvsWindow *self)
{
  EvsLoader *loader = evs_session_get_loader (self->session);

  /* Forget the previous recording's header */
  update_header (self, NULL);
  g_binding_group_set_source (self->loader_bindings, loader);
  if (loader != NULL)
    {
      g_signal_connect_object (loader, "notify::n-events", G_CALLBACK (loader_progress_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (loader, "notify::fraction", G_CALLBACK (loader_progress_cb), self,
                               G_CONNECT_SWAPPED);
    }
}

/* Opening */

static void
add_recent (EvsWindow *self,
            GFile     *file)
{
  g_autofree char *uri = g_file_get_uri (file);

  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
}

static void
loaded_cb (EvsWindow *self)
{
  GFile *file = evs_session_get_file (self->session);

  if (evs_session_get_loaded (self->session) && file != NULL)
    add_recent (self, file);
}

static void
load_failed_cb (EvsWindow  *self,
                GFile      *file,
                GError     *error,
                EvsSession *session)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *heading = g_strdup_printf (_("Could Not Open “%s”"), name);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));

  update_page (self);
}

static void
render_failed_cb (EvsWindow  *self,
                  GError     *error,
                  EvsSession *session)
{
  g_autofree char *text = g_strdup_printf (_("Could not render: %s"), error->message);
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
evs_window_open (EvsWindow *self,
                 GFile     *file)
{
  g_return_if_fail (EVS_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  evs_session_open (self->session, file);
}

static void
open_response_cb (EvsWindow            *self,
                  int                   response,
                  GtkFileChooserNative *native)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autoptr(GFile) parent = file ? g_file_get_parent (file) : NULL;

      if (parent != NULL && g_file_get_path (parent) != NULL)
        {
          g_autofree char *dir = g_file_get_path (parent);

          g_settings_set_string (self->settings, "last-folder", dir);
        }
      if (file != NULL)
        evs_window_open (self, file);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) recordings = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  g_autofree char *folder = g_settings_get_string (self->settings, "last-folder");
  const char *patterns[] = { "*.raw", "*.dat", "*.h5", "*.hdf5", "*.csv", "*.txt", "*.aedat4" };

  native = gtk_file_chooser_native_new (_("Open a Recording"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (recordings, _("Event recordings"));
  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    gtk_file_filter_add_pattern (recordings, patterns[i]);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), recordings);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
  if (folder[0] != '\0' && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), dir, NULL);
    }

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_swapped (native, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static char *
find_cli (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);
      /* build tree (src/evscope → src/cli/evscope-cli), then installed (bindir) */
      g_autofree char *in_build = g_build_filename (dir, "cli", "evscope-cli", NULL);
      g_autofree char *installed = g_build_filename (dir, "evscope-cli", NULL);

      if (g_file_test (in_build, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&in_build);
      if (g_file_test (installed, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&installed);
    }

  return g_find_program_in_path ("evscope-cli");
}

static char *
get_demo_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "evscope", "demo.raw", NULL);
}

static void
show_error (EvsWindow  *self,
            const char *heading,
            const char *body)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
demo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(EvsWindow) self = user_data;
  GSubprocess *subprocess = G_SUBPROCESS (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *err_out = NULL;
  g_autofree char *demo = get_demo_path ();

  if (!g_subprocess_communicate_utf8_finish (subprocess, result, NULL, &err_out, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, _("Could Not Create the Demo Recording"), error->message);
      return;
    }

  if (!g_subprocess_get_successful (subprocess) || !g_file_test (demo, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *body = g_strdup_printf (_("evscope-cli synth failed: %s"),
                                               err_out && *err_out ? g_strstrip (err_out) : _("no output"));

      show_error (self, _("Could Not Create the Demo Recording"), body);
      return;
    }

  {
    g_autoptr(GFile) file = g_file_new_for_path (demo);

    evs_window_open (self, file);
  }
}

static void
open_demo_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);
  g_autofree char *demo = get_demo_path ();
  g_autofree char *cli = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GSubprocess) subprocess = NULL;
  g_autoptr(GError) error = NULL;

  if (g_file_test (demo, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GFile) file = g_file_new_for_path (demo);

      evs_window_open (self, file);
      return;
    }

  /* Generated once, by the project's own generator, like build-aux/dev does. */
  cli = find_cli ();
  if (cli == NULL)
    {
      show_error (self, _("Could Not Create the Demo Recording"),
                  _("The evscope-cli program was not found next to evscope or in PATH."));
      return;
    }

  dir = g_path_get_dirname (demo);
  g_mkdir_with_parents (dir, 0755);

  subprocess = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                 &error, cli, "synth", demo, "--duration-us", "10000000",
                                 "--seed", "1", NULL);
  if (subprocess == NULL)
    {
      show_error (self, _("Could Not Create the Demo Recording"), error->message);
      return;
    }

  g_cancellable_cancel (self->demo_cancellable);
  g_set_object (&self->demo_cancellable, g_cancellable_new ());
  adw_toast_overlay_add_toast (self->toast_overlay,
                               adw_toast_new (_("Generating the demo recording…")));
  g_subprocess_communicate_utf8_async (subprocess, NULL, self->demo_cancellable, demo_done_cb,
                                       g_object_ref (self));
}

/* Saving the frame */

static void
save_frame_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  EvsFrame *frame = g_object_get_data (G_OBJECT (task), "frame");
  GError *error = NULL;

  if (evs_frame_save_png (frame, task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_frame_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  EvsWindow *self = EVS_WINDOW (object);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    show_error (self, _("Could Not Save the Frame"), error->message);
  else
    {
      g_autofree char *name = g_path_get_basename (g_task_get_task_data (G_TASK (result)));
      g_autofree char *text = g_strdup_printf (_("Frame saved as “%s”"), name);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
}

static void
save_response_cb (EvsWindow            *self,
                  int                   response,
                  GtkFileChooserNative *native)
{
  EvsFrame *frame = evs_session_get_frame (self->session);

  if (response == GTK_RESPONSE_ACCEPT && frame != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autoptr(GTask) task = g_task_new (self, NULL, save_frame_done_cb, NULL);
          g_autofree char *dir = g_path_get_dirname (path);

          g_settings_set_string (self->settings, "last-export-folder", dir);
          g_task_set_source_tag (task, save_response_cb);
          g_task_set_task_data (task, g_steal_pointer (&path), g_free);
          g_object_set_data_full (G_OBJECT (task), "frame", evs_frame_ref (frame),
                                  (GDestroyNotify) evs_frame_unref);
          g_task_run_in_thread (task, save_frame_thread);
        }
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (native));
  g_object_unref (native);
}

static void
save_frame_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);
  GFile *file = evs_session_get_file (self->session);
  EvsFrame *frame = evs_session_get_frame (self->session);
  g_autofree char *folder = g_settings_get_string (self->settings, "last-export-folder");
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *native;

  if (frame == NULL || file == NULL)
    return;

  base = g_file_get_basename (file);
  if (strrchr (base, '.') != NULL)
    *strrchr (base, '.') = '\0';
  name = g_strdup_printf ("%s-%" G_GINT64_FORMAT "us.png", base, frame->t_end);

  native = gtk_file_chooser_native_new (_("Save Frame as PNG"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  if (folder[0] != '\0' && g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_swapped (native, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* View and time actions */

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  if (g_str_equal (action_name, "win.zoom-in"))
    evs_frame_view_zoom_in (self->frame_view);
  else if (g_str_equal (action_name, "win.zoom-out"))
    evs_frame_view_zoom_out (self->frame_view);
  else if (g_str_equal (action_name, "win.zoom-original"))
    evs_frame_view_set_zoom (self->frame_view, 1.0);
  else
    evs_frame_view_set_zoom (self->frame_view, 0);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  evs_session_set_playing (self->session, FALSE);
  evs_session_step (self->session, g_str_equal (action_name, "win.step-forward") ? 1 : -1);
}

static void
seek_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  evs_session_set_time (self->session, g_variant_get_int64 (param));
}

static void
set_loop_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);
  gint64 start, end;

  g_variant_get (param, "(xx)", &start, &end);
  evs_session_set_loop (self->session, start, end);
}

static void
clear_loop_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  evs_session_set_loop (EVS_WINDOW (widget)->session, 0, 0);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  EvsWindow *self = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (!evs_session_get_playing (self->session))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  /* At most 100 ms per frame: a stall skips ahead gently instead of jumping. */
  if (self->last_frame_time != 0)
    evs_session_advance (self->session, MIN (now - self->last_frame_time, 100000));
  self->last_frame_time = now;

  return G_SOURCE_CONTINUE;
}

static void
playing_cb (EvsWindow *self)
{
  gboolean playing = evs_session_get_playing (self->session);

  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");
  if (playing && self->tick_id == 0)
    {
      self->last_frame_time = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->frame_view), tick_cb, self, NULL);
    }
  else if (!playing && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->frame_view), self->tick_id);
      self->tick_id = 0;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

static void
view_mode_cb (EvsWindow *self)
{
  gboolean accumulate = evs_session_get_view_mode (self->session) == EVS_VIEW_MODE_ACCUMULATE;
  gboolean exponential = evs_session_get_decay (self->session) == EVS_DECAY_EXPONENTIAL;

  /* Only the parameters in use are editable. */
  gtk_widget_set_sensitive (self->window_row, !evs_session_get_window_by_events (self->session));
  gtk_widget_set_sensitive (self->events_window_row, evs_session_get_window_by_events (self->session));
  gtk_widget_set_sensitive (GTK_WIDGET (self->style_row), accumulate);
  gtk_widget_set_sensitive (GTK_WIDGET (self->decay_row), accumulate);
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->contrast_scale),
                                                     ADW_TYPE_ACTION_ROW), accumulate);
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->tau_spin),
                                                     ADW_TYPE_ACTION_ROW), !accumulate || exponential);
  gtk_widget_set_sensitive (GTK_WIDGET (self->colormap_row), !accumulate);
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->split_switch),
                                                     ADW_TYPE_ACTION_ROW), !accumulate);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_MODE]);
}

static void
speed_selected_cb (EvsWindow *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_dropdown);

  if (i < G_N_ELEMENTS (speeds))
    evs_session_set_speed (self->session, speeds[i]);
}

/* Recent files on the start page */

static gint
compare_recent (gconstpointer a,
                gconstpointer b)
{
  GDateTime *ma = gtk_recent_info_get_modified ((GtkRecentInfo *) a);
  GDateTime *mb = gtk_recent_info_get_modified ((GtkRecentInfo *) b);

  return g_date_time_compare (mb, ma);
}

static void
populate_recent (EvsWindow *self)
{
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  const char *app_name = g_get_application_name ();
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  items = g_list_sort (items, compare_recent);
  for (GList *l = items; l != NULL && n < 5; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFile) parent = NULL;
      g_autofree char *base = NULL;
      g_autofree char *dir = NULL;
      GtkWidget *row;

      if (app_name == NULL || !gtk_recent_info_has_application (info, app_name)
          || !gtk_recent_info_is_local (info) || !gtk_recent_info_exists (info))
        continue;

      file = g_file_new_for_uri (gtk_recent_info_get_uri (info));
      parent = g_file_get_parent (file);
      base = g_file_get_basename (file);
      dir = parent ? g_file_get_parse_name (parent) : g_strdup ("");

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), base);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), dir);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      g_object_set_data_full (G_OBJECT (row), "file", g_steal_pointer (&file), g_object_unref);
      gtk_list_box_append (self->recent_list, row);
      n++;
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);

  gtk_widget_set_visible (GTK_WIDGET (self->recent_list), n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->recent_label), n > 0);
}

static void
recent_row_activated_cb (EvsWindow     *self,
                         GtkListBoxRow *row,
                         GtkListBox    *list)
{
  GFile *file = g_object_get_data (G_OBJECT (row), "file");

  if (file != NULL)
    evs_window_open (self, file);
}

static gboolean
drop_cb (EvsWindow     *self,
         const GValue  *value,
         double         x,
         double         y,
         GtkDropTarget *target)
{
  g_autoptr(GSList) files = NULL;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || g_value_get_boxed (value) == NULL)
    return FALSE;

  /* The first file only: one recording per window */
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;

  evs_window_open (self, G_FILE (files->data));
  return TRUE;
}

/* Bindings between combo rows (uint) and enum properties */

static gboolean
uint_to_enum (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_enum (to, (gint) g_value_get_uint (from));
  return TRUE;
}

static gboolean
enum_to_uint (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_uint (to, (guint) g_value_get_enum (from));
  return TRUE;
}

static gboolean
ms_to_us_int64 (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_set_int64 (to, (gint64) (g_value_get_double (from) * 1000.0 + 0.5));
  return TRUE;
}

static gboolean
us_int64_to_ms (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  g_value_set_double (to, g_value_get_int64 (from) / 1000.0);
  return TRUE;
}

static gboolean
ms_to_us (GBinding     *binding,
          const GValue *from,
          GValue       *to,
          gpointer      user_data)
{
  g_value_set_double (to, g_value_get_double (from) * 1000.0);
  return TRUE;
}

static gboolean
us_to_ms (GBinding     *binding,
          const GValue *from,
          GValue       *to,
          gpointer      user_data)
{
  g_value_set_double (to, g_value_get_double (from) / 1000.0);
  return TRUE;
}

static gboolean
uint_to_bool (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_uint (from) != 0);
  return TRUE;
}

static gboolean
bool_to_uint (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_uint (to, g_value_get_boolean (from) ? 1 : 0);
  return TRUE;
}

static gboolean
double_to_uint64 (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_uint64 (to, (guint64) (g_value_get_double (from) + 0.5));
  return TRUE;
}

static gboolean
uint64_to_double (GBinding     *binding,
                  const GValue *from,
                  GValue       *to,
                  gpointer      user_data)
{
  g_value_set_double (to, (double) g_value_get_uint64 (from));
  return TRUE;
}

static void
bind_combo (EvsWindow   *self,
            const char  *property,
            AdwComboRow *row)
{
  g_object_bind_property_full (self->session, property, row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               enum_to_uint, uint_to_enum, NULL, NULL);
}

static void
export_finished_cb (EvsWindow  *self,
                    gboolean    ok,
                    const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  if (self->export_dialog == NULL)
    {
      self->export_dialog = evs_export_dialog_new (GTK_WINDOW (self), self->session);
      g_signal_connect_object (self->export_dialog, "finished", G_CALLBACK (export_finished_cb),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

static void
hot_pixels_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  if (self->hot_pixels_dialog == NULL)
    self->hot_pixels_dialog = evs_hot_pixels_dialog_new (GTK_WINDOW (self), self->workbench);
  gtk_window_present (GTK_WINDOW (self->hot_pixels_dialog));
}

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  EvsWindow *self = EVS_WINDOW (widget);

  if (g_str_equal (action_name, "win.undo"))
    evs_workbench_undo (self->workbench);
  else
    evs_workbench_redo (self->workbench);
}

/* Raw: the viewer's own frame view; otherwise the workbench's preview view */
static void
compare_mode_cb (EvsWindow *self)
{
  gboolean raw = evs_workbench_get_compare_mode (self->workbench) == EVS_COMPARE_RAW;

  gtk_widget_set_visible (GTK_WIDGET (self->frame_view), raw);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_view), !raw);
}

static void
evs_window_dispose (GObject *object)
{
  EvsWindow *self = (EvsWindow *) object;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->frame_view), self->tick_id);
      self->tick_id = 0;
    }
  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);
  g_clear_object (&self->demo_cancellable);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_WINDOW);

  g_clear_object (&self->loader_bindings);
  g_clear_pointer (&self->header_rows, g_ptr_array_unref);
  if (self->export_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->export_dialog));
  self->export_dialog = NULL;
  if (self->hot_pixels_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->hot_pixels_dialog));
  self->hot_pixels_dialog = NULL;
  g_clear_object (&self->workbench);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (evs_window_parent_class)->dispose (object);
}

static void
evs_window_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  EvsWindow *self = EVS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      g_value_set_enum (value, evs_session_get_view_mode (self->session));
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, evs_session_get_playing (self->session));
      break;
    case PROP_SIDEBAR_VISIBLE:
      g_value_set_boolean (value, adw_flap_get_reveal_flap (self->flap));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_window_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  EvsWindow *self = EVS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW_MODE:
      evs_session_set_view_mode (self->session, g_value_get_enum (value));
      break;
    case PROP_PLAYING:
      evs_session_set_playing (self->session, g_value_get_boolean (value));
      break;
    case PROP_SIDEBAR_VISIBLE:
      adw_flap_set_reveal_flap (self->flap, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hover_text_cb (EvsWindow *self)
{
  const char *text = evs_frame_view_get_hover_text (self->frame_view);

  gtk_widget_set_visible (GTK_WIDGET (self->inspector_label), text != NULL);
}

static void
sidebar_cb (EvsWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIDEBAR_VISIBLE]);
}

static void
evs_window_class_init (EvsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_window_dispose;
  object_class->get_property = evs_window_get_property;
  object_class->set_property = evs_window_set_property;

  properties[PROP_VIEW_MODE] =
    g_param_spec_enum ("view-mode", NULL, NULL, EVS_TYPE_VIEW_MODE, EVS_VIEW_MODE_ACCUMULATE,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIDEBAR_VISIBLE] =
    g_param_spec_boolean ("sidebar-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (EVS_TYPE_FRAME_VIEW);
  g_type_ensure (EVS_TYPE_TIMELINE);
  g_type_ensure (EVS_TYPE_PIPELINE_PANEL);
  g_type_ensure (EVS_TYPE_PREVIEW_VIEW);

  /* Referencing the resource links it (and its constructor) from the static library. */
  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-window.ui");
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, mode_box);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, sidebar_button);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, recent_label);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, window_spin);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, window_by_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, window_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, events_window_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, events_spin);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, decay_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, contrast_scale);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, tau_spin);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, colormap_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, split_switch);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, format_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, sensor_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, events_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, duration_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, size_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, path_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, header_row);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, frame_view);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, overlay_label);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, inspector_label);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, time_label);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, pipeline_panel);
  gtk_widget_class_bind_template_child (widget_class, EvsWindow, preview_view);
  gtk_widget_class_bind_template_callback (widget_class, recent_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-demo", NULL, open_demo_action);
  gtk_widget_class_install_action (widget_class, "win.save-frame", NULL, save_frame_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.zoom-original", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "win.step-forward", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.step-back", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.seek", "x", seek_action);
  gtk_widget_class_install_action (widget_class, "win.set-loop", "(xx)", set_loop_action);
  gtk_widget_class_install_action (widget_class, "win.clear-loop", NULL, clear_loop_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.hot-pixels", NULL, hot_pixels_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.redo", NULL, undo_action);
  gtk_widget_class_install_property_action (widget_class, "win.view-mode", "view-mode");
  gtk_widget_class_install_property_action (widget_class, "win.playing", "playing");
  gtk_widget_class_install_property_action (widget_class, "win.show-sidebar", "sidebar-visible");

  /* Window-local keys: bubble phase, so a focused entry keeps its own keys. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.playing", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "win.step-forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "win.step-back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, 0, "win.zoom-original", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.clear-loop", NULL);
}

static void
evs_window_init (EvsWindow *self)
{
  g_autoptr(GSimpleActionGroup) settings_group = g_simple_action_group_new ();
  g_autoptr(GAction) color_scheme = NULL;
  g_autoptr(GAction) log_scale = NULL;
  GtkDropTarget *drop;

  /* Property actions read the session while the template is built. */
  self->session = evs_session_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  if (g_strcmp0 (PROFILE, "devel") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
  adw_status_page_set_icon_name (self->start_page, APP_ID);

  self->settings = g_settings_new ("io.github.evscope.Evscope");
  self->header_rows = g_ptr_array_new ();

  evs_frame_view_set_session (self->frame_view, self->session);
  evs_timeline_set_session (self->timeline, self->session);

  /* The workbench: pipeline panel, preview, compare modes */
  self->workbench = evs_workbench_new (self->session);
  evs_pipeline_panel_set_workbench (self->pipeline_panel, self->workbench);
  evs_preview_view_set_workbench (self->preview_view, self->workbench);
  g_signal_connect_object (self->workbench, "notify::compare-mode", G_CALLBACK (compare_mode_cb),
                           self, G_CONNECT_SWAPPED);
  /* The zoom actions and keys act on whichever view shows */
  g_object_bind_property (self->frame_view, "zoom", self->preview_view, "zoom",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  {
    g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
    g_autoptr(GPropertyAction) compare = g_property_action_new ("compare-mode", self->workbench,
                                                                "compare-mode");

    g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (compare));
    gtk_widget_insert_action_group (GTK_WIDGET (self), "workbench", G_ACTION_GROUP (group));
  }

  /* Window state */
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sidebar-visible", self->flap, "reveal-flap",
                   G_SETTINGS_BIND_DEFAULT);

  /* View parameters persist across sessions */
  g_settings_bind (self->settings, "view-mode", self->session, "view-mode", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "accumulate-style", self->session, "style",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "decay", self->session, "decay", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "colormap", self->session, "colormap", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-us", self->session, "window-us", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-by-events", self->session, "window-by-events",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-events", self->session, "window-events",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "contrast", self->session, "contrast", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "tau-us", self->session, "tau-us", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "split-polarity", self->session, "split-polarity",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "timeline-log-scale", self->timeline, "log-scale",
                   G_SETTINGS_BIND_DEFAULT);

  color_scheme = g_settings_create_action (self->settings, "color-scheme");
  log_scale = g_settings_create_action (self->settings, "timeline-log-scale");
  g_action_map_add_action (G_ACTION_MAP (settings_group), color_scheme);
  g_action_map_add_action (G_ACTION_MAP (settings_group), log_scale);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (settings_group));

  /* Sidebar widgets ↔ session */
  g_object_bind_property_full (self->session, "window-us",
                               gtk_spin_button_get_adjustment (self->window_spin), "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               us_int64_to_ms, ms_to_us_int64, NULL, NULL);
  g_object_bind_property_full (self->session, "tau-us",
                               gtk_spin_button_get_adjustment (self->tau_spin), "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               us_to_ms, ms_to_us, NULL, NULL);
  g_object_bind_property (self->session, "contrast",
                          gtk_range_get_adjustment (GTK_RANGE (self->contrast_scale)), "value",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->session, "split-polarity", self->split_switch, "active",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property_full (self->session, "window-by-events", self->window_by_row, "selected",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               bool_to_uint, uint_to_bool, NULL, NULL);
  g_object_bind_property_full (self->session, "window-events",
                               gtk_spin_button_get_adjustment (self->events_spin), "value",
                               G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                               uint64_to_double, double_to_uint64, NULL, NULL);
  bind_combo (self, "style", self->style_row);
  bind_combo (self, "decay", self->decay_row);
  bind_combo (self, "colormap", self->colormap_row);

  self->loader_bindings = g_binding_group_new ();
  g_binding_group_bind (self->loader_bindings, "fraction", self->progress_bar, "fraction",
                        G_BINDING_SYNC_CREATE);

  g_signal_connect_object (self->session, "notify::loader", G_CALLBACK (loader_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::loaded", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::loaded", G_CALLBACK (loaded_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::indexed", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::file", G_CALLBACK (session_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::frame", G_CALLBACK (frame_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::time", G_CALLBACK (update_overlay), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::playing", G_CALLBACK (playing_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::view-mode", G_CALLBACK (view_mode_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::decay", G_CALLBACK (view_mode_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::window-by-events", G_CALLBACK (view_mode_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "load-failed", G_CALLBACK (load_failed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "render-failed", G_CALLBACK (render_failed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->flap, "notify::reveal-flap", G_CALLBACK (sidebar_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->frame_view, "notify::hover-text", G_CALLBACK (hover_text_cb),
                           self, G_CONNECT_SWAPPED);
  hover_text_cb (self);
  g_signal_connect_object (self->speed_dropdown, "notify::selected",
                           G_CALLBACK (speed_selected_cb), self, G_CONNECT_SWAPPED);

  /* GtkDropTarget's GType list cannot be given in a .ui file. */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_swapped (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  populate_recent (self);
  session_state_cb (self);
  /* The settings may have changed these before the handlers were connected. */
  view_mode_cb (self);
  playing_cb (self);
}

EvsWindow *
evs_window_new (GtkApplication *application)
{
  return g_object_new (EVS_TYPE_WINDOW, "application", application, NULL);
}

EvsSession *
evs_window_get_session (EvsWindow *self)
{
  g_return_val_if_fail (EVS_IS_WINDOW (self), NULL);
  return self->session;
}

EvsFrameView *
evs_window_get_frame_view (EvsWindow *self)
{
  g_return_val_if_fail (EVS_IS_WINDOW (self), NULL);
  return self->frame_view;
}

EvsTimeline *
evs_window_get_timeline (EvsWindow *self)
{
  g_return_val_if_fail (EVS_IS_WINDOW (self), NULL);
  return self->timeline;
}

/**
 * evs_window_get_page:
 *
 * Returns: "start" or "viewer"
 */
const char *
evs_window_get_page (EvsWindow *self)
{
  g_return_val_if_fail (EVS_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/**
 * evs_window_get_workbench:
 *
 * Returns: (transfer none): the window's workbench (pipeline, preview)
 */
EvsWorkbench *
evs_window_get_workbench (EvsWindow *self)
{
  g_return_val_if_fail (EVS_IS_WINDOW (self), NULL);
  return self->workbench;
}
