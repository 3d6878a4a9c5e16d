/* evs-hot-pixels-dialog.c
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

#define G_LOG_DOMAIN "evs-hot-pixels-dialog"

#include "config.h"

#include "evs-hot-pixels-dialog.h"

#include "evs-filters.h"
#include "evs-hot-pixel-map.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>

/* EvsHotPixelsDialog: the per-pixel event-rate map of the whole recording
 * (counted once by the workbench, in a worker), the histogram of log
 * rates with a draggable threshold, and "Apply", which sets the
 * pipeline's hot_pixels filter to that threshold (max_rate_hz criterion,
 * learnt from the whole recording).  The histogram and each map image are
 * computed in workers (latest threshold wins); the draw function only
 * scales bars. */

#define N_BINS 96

struct _EvsHotPixelsDialog
{
  AdwWindow       parent_instance;

  EvsWorkbench   *workbench;
  EvsHotPixelMap *map;
  double          threshold;
  guint64         n_hot;
  guint64         n_hot_events;
  gboolean        ready;
  GCancellable   *cancellable;
  double          drag_start_x;

  GtkPicture     *map_picture;
  GtkDrawingArea *histogram_area;
  GtkLabel       *status_label;
};

enum {
  PROP_0,
  PROP_THRESHOLD,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsHotPixelsDialog, evs_hot_pixels_dialog, ADW_TYPE_WINDOW)

typedef struct
{
  EvsHotPixelMap *map;
  GBytes         *counts;
  guint           width;
  guint           height;
  gint64          duration;
  double          threshold;
  /* results */
  GBytes         *pixels;
  gsize           stride;
  guint64         n_hot;
  guint64         n_hot_events;
} MapJob;

static void
map_job_free (gpointer data)
{
  MapJob *job = data;

  g_clear_pointer (&job->map, evs_hot_pixel_map_unref);
  g_clear_pointer (&job->counts, g_bytes_unref);
  g_clear_pointer (&job->pixels, g_bytes_unref);
  g_free (job);
}

static void
map_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  MapJob *job = task_data;

  if (job->map == NULL)
    job->map = evs_hot_pixel_map_new (job->counts, job->width, job->height, job->duration, N_BINS);
  if (g_task_return_error_if_cancelled (task))
    return;
  job->n_hot = evs_hot_pixel_map_count_hot (job->map, job->threshold, &job->n_hot_events);
  job->pixels = evs_hot_pixel_map_render (job->map, job->threshold, &job->stride);
  g_task_return_boolean (task, TRUE);
}

static void
update_status (EvsHotPixelsDialog *self)
{
  g_autofree char *text = NULL;
  guint64 n_pixels;

  if (self->map == NULL)
    {
      gtk_label_set_text (self->status_label, _("Counting the events of every pixel…"));
      return;
    }
  n_pixels = (guint64) self->map->width * self->map->height;
  text = g_strdup_printf (_("Threshold %.3g Hz: %" G_GUINT64_FORMAT " hot pixels (%.3f %% of the "
                            "sensor), %" G_GUINT64_FORMAT " events; %" G_GUINT64_FORMAT
                            " pixels silent"),
                          self->threshold, self->n_hot, 100.0 * self->n_hot / MAX (n_pixels, 1),
                          self->n_hot_events, self->map->n_silent);
  gtk_label_set_text (self->status_label, text);
}

static void
map_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (object);
  MapJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GdkTexture) texture = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), NULL))
    return;
  if (job->threshold != self->threshold)
    return; /* a newer job is on its way */

  if (self->map != job->map)
    {
      g_clear_pointer (&self->map, evs_hot_pixel_map_unref);
      self->map = evs_hot_pixel_map_ref (job->map);
    }
  self->n_hot = job->n_hot;
  self->n_hot_events = job->n_hot_events;
  texture = gdk_memory_texture_new (job->map->width, job->map->height, GDK_MEMORY_DEFAULT,
                                    job->pixels, job->stride);
  gtk_picture_set_paintable (self->map_picture, GDK_PAINTABLE (texture));
  gtk_widget_queue_draw (GTK_WIDGET (self->histogram_area));
  update_status (self);
  self->ready = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
queue_map (EvsHotPixelsDialog *self)
{
  g_autoptr(GTask) task = NULL;
  MapJob *job;
  GBytes *counts;
  guint width, height;
  gint64 duration;

  if (self->workbench == NULL)
    return;
  counts = evs_workbench_get_counts (self->workbench, &width, &height, &duration);
  if (counts == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  job = g_new0 (MapJob, 1);
  if (self->map != NULL && self->map->width == width && self->map->height == height
      && self->map->duration_us == MAX (duration, 1))
    job->map = evs_hot_pixel_map_ref (self->map);
  job->counts = g_bytes_ref (counts);
  job->width = width;
  job->height = height;
  job->duration = duration;
  job->threshold = self->threshold;
  self->ready = FALSE;

  task = g_task_new (self, self->cancellable, map_done_cb, NULL);
  g_task_set_source_tag (task, queue_map);
  g_task_set_priority (task, G_PRIORITY_LOW);
  g_task_set_task_data (task, job, map_job_free);
  g_task_run_in_thread (task, map_thread);
}

static void
counts_cb (EvsHotPixelsDialog *self)
{
  g_clear_pointer (&self->map, evs_hot_pixel_map_unref);
  queue_map (self);
}

static double
x_to_rate (EvsHotPixelsDialog *self,
           double              x)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self->histogram_area));
  double f = CLAMP (x / MAX (width, 1), 0, 1);

  return pow (10.0, self->map->log_min + f * (self->map->log_max - self->map->log_min));
}

static void
histogram_drag_begin_cb (EvsHotPixelsDialog *self,
                         double              x,
                         double              y,
                         GtkGestureDrag     *gesture)
{
  if (self->map == NULL)
    return;
  self->drag_start_x = x;
  evs_hot_pixels_dialog_set_threshold (self, x_to_rate (self, x));
}

static void
histogram_drag_update_cb (EvsHotPixelsDialog *self,
                          double              offset_x,
                          double              offset_y,
                          GtkGestureDrag     *gesture)
{
  if (self->map == NULL)
    return;
  evs_hot_pixels_dialog_set_threshold (self, x_to_rate (self, self->drag_start_x + offset_x));
}

static void
draw_histogram (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  EvsHotPixelsDialog *self = user_data;
  EvsHotPixelMap *map = self->map;
  double bar, log_max_bin, x;
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;
  GdkRGBA fg;

  cairo_set_source_rgba (cr, 0, 0, 0, 0.25);
  cairo_paint (cr);
  if (map == NULL)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  bar = (double) width / map->n_bins;
  log_max_bin = log10 (1.0 + map->max_bin);
  for (guint i = 0; i < map->n_bins; i++)
    {
      double f = map->bins[i] ? log10 (1.0 + map->bins[i]) / log_max_bin : 0;
      double rate = pow (10.0, map->log_min + (i + 0.5) / map->n_bins * (map->log_max - map->log_min));

      if (rate > self->threshold)
        cairo_set_source_rgb (cr, 1.0, 0.19, 0.19);
      else
        cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
      cairo_rectangle (cr, i * bar, (height - 18) * (1 - f), MAX (bar - 1, 1), (height - 18) * f);
      cairo_fill (cr);
    }

  /* The threshold */
  x = (log10 (MAX (self->threshold, 1e-12)) - map->log_min) / (map->log_max - map->log_min) * width;
  x = CLAMP (x, 1, width - 1);
  cairo_set_source_rgb (cr, 1.0, 0.19, 0.19);
  cairo_rectangle (cr, round (x) - 1, 0, 2, height - 18);
  cairo_fill (cr);

  /* The axis ends */
  lo = g_strdup_printf ("%.3g Hz", pow (10.0, map->log_min));
  hi = g_strdup_printf ("%.3g Hz", pow (10.0, map->log_max));
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
  cairo_set_font_size (cr, 11);
  cairo_move_to (cr, 2, height - 4);
  cairo_show_text (cr, lo);
  {
    cairo_text_extents_t ext;

    cairo_text_extents (cr, hi, &ext);
    cairo_move_to (cr, width - ext.x_advance - 2, height - 4);
    cairo_show_text (cr, hi);
  }
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (widget);
  EvsPipeline *pipeline = evs_workbench_get_pipeline (self->workbench);
  EvsFilter *filter = NULL;

  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline) && filter == NULL; i++)
    if (EVS_IS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (pipeline, i)))
      filter = evs_pipeline_get_filter (pipeline, i);
  if (filter == NULL)
    filter = evs_workbench_add_filter (self->workbench, "hot_pixels", NULL);
  if (filter == NULL)
    return;
  g_object_set (filter,
                "criterion", EVS_HOT_PIXELS_CRITERION_MAX_RATE,
                "learn-ms", 0,
                "max-rate-hz", self->threshold,
                "enabled", TRUE,
                NULL);
}

static void
evs_hot_pixels_dialog_dispose (GObject *object)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->workbench != NULL)
    g_signal_handlers_disconnect_by_data (self->workbench, self);
  g_clear_object (&self->workbench);
  g_clear_pointer (&self->map, evs_hot_pixel_map_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_HOT_PIXELS_DIALOG);

  G_OBJECT_CLASS (evs_hot_pixels_dialog_parent_class)->dispose (object);
}

static void
evs_hot_pixels_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_hot_pixels_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (object);

  switch (prop_id)
    {
    case PROP_THRESHOLD:
      evs_hot_pixels_dialog_set_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_hot_pixels_dialog_class_init (EvsHotPixelsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_hot_pixels_dialog_dispose;
  object_class->get_property = evs_hot_pixels_dialog_get_property;
  object_class->set_property = evs_hot_pixels_dialog_set_property;

  properties[PROP_THRESHOLD] =
    g_param_spec_double ("threshold", NULL, NULL, 0, 1e9, 100,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/evs-hot-pixels-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, EvsHotPixelsDialog, map_picture);
  gtk_widget_class_bind_template_child (widget_class, EvsHotPixelsDialog, histogram_area);
  gtk_widget_class_bind_template_child (widget_class, EvsHotPixelsDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, histogram_drag_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, histogram_drag_update_cb);

  gtk_widget_class_install_action (widget_class, "hot-pixels.apply", NULL, apply_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
evs_hot_pixels_dialog_init (EvsHotPixelsDialog *self)
{
  self->threshold = 100.0;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->histogram_area, draw_histogram, self, NULL);
}

/**
 * evs_hot_pixels_dialog_new:
 * @workbench: whose recording it maps and whose pipeline it sets
 *
 * Starts the per-pixel count of the recording if needed.  The threshold
 * starts at the pipeline's hot_pixels filter's max_rate_hz, if any.
 */
EvsHotPixelsDialog *
evs_hot_pixels_dialog_new (GtkWindow    *parent,
                           EvsWorkbench *workbench)
{
  EvsHotPixelsDialog *self;
  EvsPipeline *pipeline;

  g_return_val_if_fail (EVS_IS_WORKBENCH (workbench), NULL);

  self = g_object_new (EVS_TYPE_HOT_PIXELS_DIALOG, "transient-for", parent, NULL);
  self->workbench = g_object_ref (workbench);
  pipeline = evs_workbench_get_pipeline (workbench);
  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    if (EVS_IS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (pipeline, i)))
      {
        g_object_get (evs_pipeline_get_filter (pipeline, i), "max-rate-hz", &self->threshold, NULL);
        break;
      }
  g_signal_connect_object (workbench, "notify::has-counts", G_CALLBACK (counts_cb), self,
                           G_CONNECT_SWAPPED);
  update_status (self);
  evs_workbench_ensure_counts (workbench);
  queue_map (self);
  return self;
}

double
evs_hot_pixels_dialog_get_threshold (EvsHotPixelsDialog *self)
{
  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), 0);
  return self->threshold;
}

/**
 * evs_hot_pixels_dialog_set_threshold:
 * @max_rate_hz: pixels with more events per second are hot
 */
void
evs_hot_pixels_dialog_set_threshold (EvsHotPixelsDialog *self,
                                     double              max_rate_hz)
{
  g_return_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self));

  max_rate_hz = CLAMP (max_rate_hz, 0, 1e9);
  if (max_rate_hz == self->threshold)
    return;
  self->threshold = max_rate_hz;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
  gtk_widget_queue_draw (GTK_WIDGET (self->histogram_area));
  queue_map (self);
}

/**
 * evs_hot_pixels_dialog_get_ready:
 *
 * Returns: %TRUE when the map, the histogram and the hot count show the
 *   current threshold
 */
gboolean
evs_hot_pixels_dialog_get_ready (EvsHotPixelsDialog *self)
{
  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), FALSE);
  return self->ready;
}

guint64
evs_hot_pixels_dialog_get_n_hot (EvsHotPixelsDialog *self)
{
  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), 0);
  return self->n_hot;
}
