/* evs-export-dialog.c
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

#define G_LOG_DOMAIN "evs-export-dialog"

#include "config.h"

#include "evs-export-dialog.h"

#include "evs-export-job.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>

/* EvsExportDialog exports the session's recording: a format (every
 * writer), a time range (whole recording, the current window, or a custom
 * range), with or without the pipeline (a deep copy taken when the export
 * starts), to a destination chosen with GtkFileChooserNative.  The time
 * range is the whole recording, the current window, a custom range, or
 * the selection dragged on the timeline (the session's loop range).  The export
 * runs as an EvsExportJob in a worker thread; its coalesced progress
 * drives the bar and the events/s label; Cancel cancels it; the dialog is
 * not modal, so the main window stays usable; the "finished" signal
 * carries the summary for the window's toast.  The application is held
 * while an export runs. */

struct _EvsExportDialog
{
  AdwWindow       parent_instance;

  EvsSession     *session;
  EvsExportJob   *job;
  GCancellable   *cancellable;
  char           *output_path;
  GArray         *formats;     /* EvsFormat per format_row item */
  double          fraction;

  AdwComboRow    *format_row;
  AdwActionRow   *dest_row;
  AdwComboRow    *range_row;
  GtkWidget      *start_row;
  GtkWidget      *end_row;
  GtkSpinButton  *start_spin;
  GtkSpinButton  *end_spin;
  AdwActionRow   *pipeline_row;
  GtkSwitch      *pipeline_switch;
  GtkProgressBar *progress_bar;
  GtkLabel       *status_label;
};

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_FRACTION,
  N_PROPS
};

enum {
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (EvsExportDialog, evs_export_dialog, ADW_TYPE_WINDOW)

static const char *
format_extension (EvsFormat format)
{
  switch (format)
    {
    case EVS_FORMAT_EVT2:
    case EVS_FORMAT_EVT21:
    case EVS_FORMAT_EVT3:
      return ".raw";
    case EVS_FORMAT_DAT:
      return ".dat";
    case EVS_FORMAT_PROPHESEE_HDF5:
    case EVS_FORMAT_DSEC_HDF5:
    case EVS_FORMAT_RVT_HDF5:
    case EVS_FORMAT_EVENT_UTILS_HDF5:
      return ".h5";
    case EVS_FORMAT_TEXT:
      return ".txt";
    case EVS_FORMAT_AEDAT4:
      return ".aedat4";
    case EVS_FORMAT_CSV:
      return ".csv";
    case EVS_FORMAT_UNKNOWN:
    case EVS_N_FORMATS:
    default:
      return "";
    }
}

static void
update_actions (EvsExportDialog *self)
{
  gboolean running = self->job != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.start",
                                 !running && self->output_path != NULL
                                 && evs_session_get_file (self->session) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.cancel", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.choose", !running);
}

static void
update_rows (EvsExportDialog *self)
{
  EvsPipeline *pipeline = evs_session_get_pipeline (self->session);
  guint n = evs_pipeline_get_n_filters (pipeline);
  g_autofree char *subtitle = NULL;
  gboolean custom = adw_combo_row_get_selected (self->range_row) == EVS_EXPORT_RANGE_CUSTOM;

  gtk_widget_set_sensitive (self->start_row, custom);
  gtk_widget_set_sensitive (self->end_row, custom);

  subtitle = n == 0 ? g_strdup (_("The pipeline is empty"))
                    : g_strdup_printf (ngettext ("%u filter; the file records it",
                                                 "%u filters; the file records them", n), n);
  adw_action_row_set_subtitle (self->pipeline_row, subtitle);
  adw_action_row_set_subtitle (self->dest_row,
                               self->output_path ? self->output_path : _("Not chosen"));
}

static void
set_fraction (EvsExportDialog *self,
              double           fraction)
{
  if (fraction == self->fraction)
    return;
  self->fraction = fraction;
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
}

static void
progress_cb (EvsExportJob *job,
             double        fraction,
             double        events_per_second,
             gpointer      user_data)
{
  EvsExportDialog *self = user_data;
  g_autofree char *text = NULL;

  if (job != self->job)
    return;
  set_fraction (self, fraction);
  text = g_strdup_printf (_("%.0f %% · %.2f M events/s"), fraction * 100, events_per_second / 1e6);
  gtk_label_set_text (self->status_label, text);
}

static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(EvsExportDialog) self = user_data;
  EvsExportJob *job = EVS_EXPORT_JOB (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gboolean ok;

  ok = evs_export_job_run_finish (job, result, &error);
  if (ok)
    {
      g_autofree char *name = g_path_get_basename (self->output_path);

      set_fraction (self, 1.0);
      message = g_strdup_printf (_("Exported “%s”: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                   " events in %.1f s"),
                                 name, evs_export_job_get_n_events_out (job),
                                 evs_export_job_get_n_events_in (job),
                                 evs_export_job_get_seconds (job));
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    message = g_strdup (_("Export cancelled"));
  else
    message = g_strdup_printf (_("Export failed: %s"), error->message);

  gtk_label_set_text (self->status_label, message);
  g_clear_object (&self->job);
  g_clear_object (&self->cancellable);
  if (g_application_get_default () != NULL)
    g_application_release (g_application_get_default ());
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_signal_emit (self, signals[FINISHED], 0, ok, message);
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (widget);
  GFile *file = evs_session_get_file (self->session);
  g_autofree char *input = file ? g_file_get_path (file) : NULL;
  guint selected = adw_combo_row_get_selected (self->format_row);
  EvsFormat format;

  if (self->job != NULL || input == NULL || self->output_path == NULL
      || selected >= self->formats->len)
    return;
  format = g_array_index (self->formats, EvsFormat, selected);

  self->job = evs_export_job_new (input, self->output_path);
  evs_export_job_set_format (self->job, format);
  switch (adw_combo_row_get_selected (self->range_row))
    {
    case EVS_EXPORT_RANGE_WINDOW:
      {
        EvsFrame *frame = evs_session_get_frame (self->session);
        gint64 end = evs_session_get_time (self->session);
        gint64 start = end - evs_session_get_window_us (self->session);

        if (evs_session_get_window_by_events (self->session) && frame != NULL)
          {
            start = frame->t_start;
            end = frame->t_end;
          }
        evs_export_job_set_time_range (self->job, start, end);
      }
      break;
    case EVS_EXPORT_RANGE_SELECTION:
      /* The range dragged on the timeline (the playback loop); none: all */
      if (evs_session_get_loop_end (self->session) > evs_session_get_loop_start (self->session))
        evs_export_job_set_time_range (self->job, evs_session_get_loop_start (self->session),
                                       evs_session_get_loop_end (self->session));
      break;
    case EVS_EXPORT_RANGE_CUSTOM:
      evs_export_job_set_time_range (self->job,
                                     (gint64) llround (gtk_spin_button_get_value (self->start_spin) * 1e6),
                                     (gint64) llround (gtk_spin_button_get_value (self->end_spin) * 1e6));
      break;
    default:
      break;
    }
  if (gtk_switch_get_active (self->pipeline_switch)
      && evs_pipeline_get_n_filters (evs_session_get_pipeline (self->session)) > 0)
    evs_export_job_set_pipeline (self->job, evs_session_get_pipeline (self->session));
  evs_export_job_set_progress_func (self->job, progress_cb, self, NULL);

  self->cancellable = g_cancellable_new ();
  set_fraction (self, 0);
  gtk_label_set_text (self->status_label, _("Exporting…"));
  if (g_application_get_default () != NULL)
    g_application_hold (g_application_get_default ());
  evs_export_job_run_async (self->job, self->cancellable, run_cb, g_object_ref (self));
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

static void
choose_response_cb (GtkNativeDialog *native,
                    int              response,
                    EvsExportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autoptr(GFile) folder = g_file_get_parent (file);
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *dir = folder ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        evs_export_dialog_set_output_path (self, path);
      if (dir != NULL)
        {
          g_autoptr(GSettings) settings = g_settings_new ("io.github.evscope.Evscope");

          g_settings_set_string (settings, "last-export-folder", dir);
        }
    }
  g_object_unref (native);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (widget);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.evscope.Evscope");
  g_autofree char *folder = g_settings_get_string (settings, "last-export-folder");
  GFile *input = evs_session_get_file (self->session);
  g_autofree char *base = input ? g_file_get_basename (input) : g_strdup ("recording");
  g_autofree char *name = NULL;
  guint selected = adw_combo_row_get_selected (self->format_row);
  GtkFileChooserNative *native;
  char *dot;

  native = gtk_file_chooser_native_new (_("Export To"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  dot = strrchr (base, '.');
  if (dot != NULL)
    *dot = '\0';
  name = g_strconcat (base, "-filtered",
                      selected < self->formats->len
                        ? format_extension (g_array_index (self->formats, EvsFormat, selected))
                        : "",
                      NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  if (folder != NULL && *folder != '\0')
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), dir, NULL);
    }
  g_signal_connect (native, "response", G_CALLBACK (choose_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
format_selected_cb (EvsExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->format_row);
  const char *ext;
  char *dot, *slash;
  g_autofree char *path = NULL;

  /* Keep the destination's extension in step with the format */
  if (self->output_path == NULL || selected >= self->formats->len || self->job != NULL)
    return;
  ext = format_extension (g_array_index (self->formats, EvsFormat, selected));
  path = g_strdup (self->output_path);
  dot = strrchr (path, '.');
  slash = strrchr (path, G_DIR_SEPARATOR);
  if (dot != NULL && (slash == NULL || dot > slash))
    *dot = '\0';
  g_free (self->output_path);
  self->output_path = g_strconcat (path, ext, NULL);
  update_rows (self);
}

static void
evs_export_dialog_dispose (GObject *object)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->job);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (evs_session_get_pipeline (self->session), self);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (evs_export_dialog_parent_class)->dispose (object);
}

static void
evs_export_dialog_finalize (GObject *object)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (object);

  g_free (self->output_path);
  g_clear_pointer (&self->formats, g_array_unref);

  G_OBJECT_CLASS (evs_export_dialog_parent_class)->finalize (object);
}

static void
evs_export_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  EvsExportDialog *self = EVS_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->job != NULL);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_export_dialog_class_init (EvsExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_export_dialog_dispose;
  object_class->finalize = evs_export_dialog_finalize;
  object_class->get_property = evs_export_dialog_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * EvsExportDialog::finished:
   * @ok: whether the file was written
   * @message: what happened, for a toast
   */
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);

  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, dest_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, range_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, start_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, end_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, start_spin);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, end_spin);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, pipeline_row);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, pipeline_switch);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, EvsExportDialog, status_label);

  gtk_widget_class_install_action (widget_class, "export.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "export.choose", NULL, choose_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
evs_export_dialog_init (EvsExportDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->formats = g_array_new (FALSE, FALSE, sizeof (EvsFormat));
  for (EvsFormat f = EVS_FORMAT_UNKNOWN + 1; f < EVS_N_FORMATS; f++)
    if (evs_format_can_write (f))
      {
        g_array_append_val (self->formats, f);
        gtk_string_list_append (names, evs_format_get_display_name (f));
      }
  adw_combo_row_set_model (self->format_row, G_LIST_MODEL (names));

  g_signal_connect_swapped (self->range_row, "notify::selected", G_CALLBACK (update_rows), self);
  g_signal_connect_swapped (self->format_row, "notify::selected",
                            G_CALLBACK (format_selected_cb), self);
}

/**
 * evs_export_dialog_new:
 * @parent: the window it belongs to (not modal)
 * @session: the recording and pipeline to export
 */
EvsExportDialog *
evs_export_dialog_new (GtkWindow  *parent,
                       EvsSession *session)
{
  EvsExportDialog *self;

  g_return_val_if_fail (EVS_IS_SESSION (session), NULL);

  self = g_object_new (EVS_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  g_signal_connect_object (evs_session_get_pipeline (session), "changed",
                           G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);

  /* The custom range starts as the current window */
  gtk_spin_button_set_value (self->start_spin,
                             (evs_session_get_time (session) - evs_session_get_window_us (session))
                               / 1e6);
  gtk_spin_button_set_value (self->end_spin, evs_session_get_time (session) / 1e6);
  /* The input's own format when Evscope writes it, else EVT 3.0, which
   * stores any time base and geometry up to 2048 × 2048 */
  {
    EvsLoader *loader = evs_session_get_loader (session);
    const EvsRecordingInfo *info = loader != NULL ? evs_loader_get_info (loader) : NULL;

    evs_export_dialog_set_format (self, info != NULL && evs_format_can_write (info->format)
                                          ? info->format : EVS_FORMAT_EVT3);
  }
  update_rows (self);
  update_actions (self);
  return self;
}

void
evs_export_dialog_set_format (EvsExportDialog *self,
                              EvsFormat        format)
{
  g_return_if_fail (EVS_IS_EXPORT_DIALOG (self));

  for (guint i = 0; i < self->formats->len; i++)
    if (g_array_index (self->formats, EvsFormat, i) == format)
      adw_combo_row_set_selected (self->format_row, i);
}

EvsFormat
evs_export_dialog_get_format (EvsExportDialog *self)
{
  guint selected;

  g_return_val_if_fail (EVS_IS_EXPORT_DIALOG (self), EVS_FORMAT_UNKNOWN);

  selected = adw_combo_row_get_selected (self->format_row);
  return selected < self->formats->len ? g_array_index (self->formats, EvsFormat, selected)
                                       : EVS_FORMAT_UNKNOWN;
}

void
evs_export_dialog_set_output_path (EvsExportDialog *self,
                                   const char      *path)
{
  g_return_if_fail (EVS_IS_EXPORT_DIALOG (self));

  g_free (self->output_path);
  self->output_path = g_strdup (path);
  update_rows (self);
  update_actions (self);
}

const char *
evs_export_dialog_get_output_path (EvsExportDialog *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_DIALOG (self), NULL);
  return self->output_path;
}

void
evs_export_dialog_set_range (EvsExportDialog *self,
                             EvsExportRange   range)
{
  g_return_if_fail (EVS_IS_EXPORT_DIALOG (self));
  adw_combo_row_set_selected (self->range_row, range);
}

void
evs_export_dialog_set_custom_range (EvsExportDialog *self,
                                    gint64           start_us,
                                    gint64           end_us)
{
  g_return_if_fail (EVS_IS_EXPORT_DIALOG (self));

  adw_combo_row_set_selected (self->range_row, EVS_EXPORT_RANGE_CUSTOM);
  gtk_spin_button_set_value (self->start_spin, start_us / 1e6);
  gtk_spin_button_set_value (self->end_spin, end_us / 1e6);
}

void
evs_export_dialog_set_apply_pipeline (EvsExportDialog *self,
                                      gboolean         apply)
{
  g_return_if_fail (EVS_IS_EXPORT_DIALOG (self));
  gtk_switch_set_active (self->pipeline_switch, apply);
}

gboolean
evs_export_dialog_get_running (EvsExportDialog *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_DIALOG (self), FALSE);
  return self->job != NULL;
}

double
evs_export_dialog_get_fraction (EvsExportDialog *self)
{
  g_return_val_if_fail (EVS_IS_EXPORT_DIALOG (self), 0);
  return self->fraction;
}
