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

/* Manual edits of the mask, per sensor pixel */
enum {
  EDIT_NONE,
  EDIT_ADD,     /* in the mask although below the threshold */
  EDIT_REMOVE,  /* out of the mask although above it */
};

/* Colours (0xRRGGBB) of added and removed pixels, in the map and its marks */
#define ADDED_COLOR   0xffc800
#define REMOVED_COLOR 0x3c9bff

/* On a map drawn smaller than the sensor, single pixels vanish in the
 * downscaling: up to this many masked pixels are marked over it */
#define MAX_MARKED 4096

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
  guint           generation;

  /* The explicit mask: the pixels above the threshold, plus additions,
   * minus removals (edits), sensor-sized like the map */
  guint8         *edits;
  guint           edits_width;
  guint           edits_height;
  guint           n_edits;
  gboolean        use_mask;     /* edited, loaded or saved: apply as a mask */
  gboolean        mask_dirty;   /* differs from the file at mask_path */
  char           *mask_path;
  char           *pending_mask; /* the pipeline's mask file, loaded once the map is ready */
  gboolean        apply_after_save;
  guint64         n_masked;
  GArray         *marked;       /* guint32 x | y << 16 of the masked pixels, or NULL */

  GtkPicture     *map_picture;
  GtkDrawingArea *marks_area;
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
  guint           generation;
  GBytes         *edits;        /* NULL without edits */
  /* results */
  GBytes         *pixels;
  gsize           stride;
  guint64         n_hot;
  guint64         n_hot_events;
  guint64         n_masked;
  GArray         *marked;
} MapJob;

static void
map_job_free (gpointer data)
{
  MapJob *job = data;

  g_clear_pointer (&job->map, evs_hot_pixel_map_unref);
  g_clear_pointer (&job->counts, g_bytes_unref);
  g_clear_pointer (&job->edits, g_bytes_unref);
  g_clear_pointer (&job->pixels, g_bytes_unref);
  g_clear_pointer (&job->marked, g_array_unref);
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
  job->n_masked = job->n_hot;
  if (job->edits != NULL)
    {
      const guint8 *edits = g_bytes_get_data (job->edits, NULL);
      gsize size;
      guint32 *pixels = g_bytes_unref_to_data (job->pixels, &size);
      const guint32 *counts = g_bytes_get_data (job->map->counts, NULL);
      double limit = job->threshold * (double) job->map->duration_us / 1e6;

      for (gsize i = 0; i < (gsize) job->map->width * job->map->height; i++)
        if (edits[i] != EDIT_NONE)
          {
            gboolean hot = counts[i] > limit;

            pixels[i] = 0xff000000u | (edits[i] == EDIT_ADD ? ADDED_COLOR : REMOVED_COLOR);
            if (edits[i] == EDIT_ADD && !hot)
              job->n_masked++;
            else if (edits[i] == EDIT_REMOVE && hot)
              job->n_masked--;
          }
      job->pixels = g_bytes_new_take (pixels, size);
    }
  if (job->n_masked <= MAX_MARKED)
    {
      const guint8 *edits = job->edits ? g_bytes_get_data (job->edits, NULL) : NULL;
      const guint32 *counts = g_bytes_get_data (job->map->counts, NULL);
      double limit = job->threshold * (double) job->map->duration_us / 1e6;

      job->marked = g_array_sized_new (FALSE, FALSE, sizeof (guint32), job->n_masked);
      for (guint y = 0; y < job->map->height; y++)
        for (guint x = 0; x < job->map->width; x++)
          {
            gsize i = (gsize) y * job->map->width + x;
            guint8 edit = edits ? edits[i] : EDIT_NONE;

            /* Edited pixels get their own marks */
            if (edit == EDIT_NONE && counts[i] > limit)
              {
                guint32 v = x | (guint32) y << 16;

                g_array_append_val (job->marked, v);
              }
          }
    }
  g_task_return_boolean (task, TRUE);
}

static void
update_actions (EvsHotPixelsDialog *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hot-pixels.save-mask", self->map != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "hot-pixels.load-mask", self->map != NULL);
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
  if (self->use_mask)
    {
      g_autofree char *base = g_steal_pointer (&text);
      g_autofree char *file = NULL;

      if (self->mask_path != NULL)
        file = g_path_get_basename (self->mask_path);
      text = g_strdup_printf (_("%s\nMask: %" G_GUINT64_FORMAT " pixels (%u edited by "
                                "clicks)%s%s%s"),
                              base, self->n_masked, self->n_edits,
                              file != NULL ? " — " : "", file != NULL ? file : "",
                              file != NULL && self->mask_dirty ? _(" (modified)") : "");
    }
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
  if (job->generation != self->generation)
    return; /* a newer job is on its way */

  if (self->map != job->map)
    {
      g_clear_pointer (&self->map, evs_hot_pixel_map_unref);
      self->map = evs_hot_pixel_map_ref (job->map);
    }
  self->n_hot = job->n_hot;
  self->n_hot_events = job->n_hot_events;
  self->n_masked = job->n_masked;
  g_clear_pointer (&self->marked, g_array_unref);
  self->marked = g_steal_pointer (&job->marked);
  texture = gdk_memory_texture_new (job->map->width, job->map->height, GDK_MEMORY_DEFAULT,
                                    job->pixels, job->stride);
  gtk_picture_set_paintable (self->map_picture, GDK_PAINTABLE (texture));
  gtk_widget_queue_draw (GTK_WIDGET (self->histogram_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->marks_area));
  update_status (self);
  if (self->pending_mask != NULL)
    {
      g_autofree char *path = g_steal_pointer (&self->pending_mask);
      g_autoptr(GError) error = NULL;

      /* Starts a new job: ready comes with its result */
      if (evs_hot_pixels_dialog_load_mask (self, path, &error))
        return;
      g_warning ("Cannot show the pipeline's hot-pixel mask: %s", error->message);
    }
  self->ready = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
  update_actions (self);
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
  job->generation = ++self->generation;
  if (self->n_edits > 0 && self->edits_width == width && self->edits_height == height)
    job->edits = g_bytes_new (self->edits, (gsize) width * height);
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

/* The rectangle the map is drawn in, inside map_picture: GtkPicture's
 * "contain" fit (scaled keeping the aspect ratio, centred) */
static gboolean
map_rect (EvsHotPixelsDialog *self,
          double             *x0,
          double             *y0,
          double             *scale)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self->map_picture));
  double h = gtk_widget_get_height (GTK_WIDGET (self->map_picture));

  if (self->map == NULL || w <= 0 || h <= 0)
    return FALSE;
  *scale = MIN (w / self->map->width, h / self->map->height);
  *x0 = (w - ceil (self->map->width * *scale)) / 2;
  *y0 = floor ((h - ceil (self->map->height * *scale)) / 2);
  return TRUE;
}

static gboolean
is_masked (EvsHotPixelsDialog *self,
           guint               x,
           guint               y)
{
  if (self->edits != NULL && self->edits_width == self->map->width
      && self->edits_height == self->map->height)
    {
      guint8 edit = self->edits[(gsize) y * self->edits_width + x];

      if (edit != EDIT_NONE)
        return edit == EDIT_ADD;
    }
  return evs_hot_pixel_map_is_hot (self->map, self->threshold, x, y);
}

/* Sizes the edits to the map, dropping edits of another sensor size */
static void
ensure_edits (EvsHotPixelsDialog *self)
{
  if (self->edits != NULL && self->edits_width == self->map->width
      && self->edits_height == self->map->height)
    return;
  g_free (self->edits);
  self->edits = g_malloc0 ((gsize) self->map->width * self->map->height);
  self->edits_width = self->map->width;
  self->edits_height = self->map->height;
  self->n_edits = 0;
}

static void
set_edit (EvsHotPixelsDialog *self,
          guint               x,
          guint               y,
          gboolean            masked)
{
  guint8 *edit = &self->edits[(gsize) y * self->edits_width + x];
  guint8 value;

  if (masked == evs_hot_pixel_map_is_hot (self->map, self->threshold, x, y))
    value = EDIT_NONE;
  else
    value = masked ? EDIT_ADD : EDIT_REMOVE;
  self->n_edits += (value != EDIT_NONE) - (*edit != EDIT_NONE);
  *edit = value;
}

static void
mask_changed (EvsHotPixelsDialog *self)
{
  self->use_mask = TRUE;
  self->mask_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self->marks_area));
  update_status (self);
  queue_map (self);
}

static void
map_pressed_cb (EvsHotPixelsDialog *self,
                int                 n_press,
                double              x,
                double              y,
                GtkGestureClick    *gesture)
{
  double x0, y0, scale, sx, sy;

  if (!map_rect (self, &x0, &y0, &scale))
    return;
  sx = floor ((x - x0) / scale);
  sy = floor ((y - y0) / scale);
  if (sx < 0 || sy < 0 || sx >= self->map->width || sy >= self->map->height)
    return; /* in the letterbox */
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  evs_hot_pixels_dialog_toggle_pixel (self, (guint) sx, (guint) sy);
}

/* Rings around the edited pixels, which are single screen pixels or less
 * on a whole-sensor map: O(edits), a few hundred at most by hand */
static void
draw_marks (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  EvsHotPixelsDialog *self = user_data;
  double x0, y0, scale, r;

  if (!map_rect (self, &x0, &y0, &scale))
    return;

  /* The masked pixels as dots of at least 2×2 screen pixels, while the map
   * is too small to show single pixels */
  if (self->marked != NULL && scale < 3)
    {
      double side = MAX (2.0, scale);

      cairo_set_source_rgb (cr, (EVS_HOT_PIXEL_MAP_HOT_COLOR >> 16) / 255.0,
                            ((EVS_HOT_PIXEL_MAP_HOT_COLOR >> 8) & 0xff) / 255.0,
                            (EVS_HOT_PIXEL_MAP_HOT_COLOR & 0xff) / 255.0);
      for (guint i = 0; i < self->marked->len; i++)
        {
          guint32 v = g_array_index (self->marked, guint32, i);

          cairo_rectangle (cr, floor (x0 + ((v & 0xFFFF) + 0.5) * scale - side / 2),
                           floor (y0 + ((v >> 16) + 0.5) * scale - side / 2), side, side);
        }
      cairo_fill (cr);
    }

  if (self->n_edits == 0 || self->edits_width != self->map->width
      || self->edits_height != self->map->height)
    return;
  r = MAX (5.0, scale);
  cairo_set_line_width (cr, 2.0);
  for (guint y = 0; y < self->edits_height; y++)
    {
      const guint8 *row = self->edits + (gsize) y * self->edits_width;

      if (memchr (row, EDIT_ADD, self->edits_width) == NULL
          && memchr (row, EDIT_REMOVE, self->edits_width) == NULL)
        continue;
      for (guint x = 0; x < self->edits_width; x++)
        if (row[x] != EDIT_NONE)
          {
            guint32 c = row[x] == EDIT_ADD ? ADDED_COLOR : REMOVED_COLOR;

            cairo_set_source_rgb (cr, (c >> 16) / 255.0, ((c >> 8) & 0xff) / 255.0,
                                  (c & 0xff) / 255.0);
            cairo_new_sub_path (cr);
            cairo_arc (cr, x0 + (x + 0.5) * scale, y0 + (y + 0.5) * scale, r + 2, 0, 2 * G_PI);
            cairo_stroke (cr);
            /* The pixel itself, visible even on a downscaled map */
            cairo_rectangle (cr, floor (x0 + (x + 0.5) * scale - MAX (2.0, scale) / 2),
                             floor (y0 + (y + 0.5) * scale - MAX (2.0, scale) / 2),
                             MAX (2.0, scale), MAX (2.0, scale));
            cairo_fill (cr);
          }
    }
}

static void
show_error (EvsHotPixelsDialog *self,
            const char         *heading,
            const GError       *error)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static EvsFilter *
find_or_add_filter (EvsHotPixelsDialog *self)
{
  EvsPipeline *pipeline = evs_workbench_get_pipeline (self->workbench);

  for (guint i = 0; i < evs_pipeline_get_n_filters (pipeline); i++)
    if (EVS_IS_HOT_PIXELS_FILTER (evs_pipeline_get_filter (pipeline, i)))
      return evs_pipeline_get_filter (pipeline, i);
  return evs_workbench_add_filter (self->workbench, "hot_pixels", NULL);
}

static void
apply_mask_file (EvsHotPixelsDialog *self)
{
  g_autoptr(GError) error = NULL;
  EvsFilter *filter = find_or_add_filter (self);

  if (filter == NULL)
    return;
  if (!evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (filter), self->mask_path, &error))
    {
      show_error (self, _("Cannot Apply the Mask"), error);
      return;
    }
  evs_filter_set_enabled (filter, TRUE);
}

static GtkFileFilter *
mask_file_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Pixel masks (text “x y” lines or PNG)"));
  gtk_file_filter_add_pattern (filter, "*.txt");
  gtk_file_filter_add_pattern (filter, "*.png");
  gtk_file_filter_add_pattern (filter, "*.PNG");
  return filter;
}

static void
save_response_cb (GtkNativeDialog    *native,
                  int                 response,
                  EvsHotPixelsDialog *self)
{
  gboolean apply = self->apply_after_save;

  self->apply_after_save = FALSE;
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (!evs_hot_pixels_dialog_save_mask (self, path, &error))
        show_error (self, _("Cannot Save the Mask"), error);
      else if (apply)
        apply_mask_file (self);
    }
  g_object_unref (native);
}

static void
load_response_cb (GtkNativeDialog    *native,
                  int                 response,
                  EvsHotPixelsDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (!evs_hot_pixels_dialog_load_mask (self, path, &error))
        show_error (self, _("Cannot Load the Mask"), error);
    }
  g_object_unref (native);
}

static void
save_mask_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = mask_file_filter ();

  native = gtk_file_chooser_native_new (_("Save Hot-Pixel Mask"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  if (self->mask_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (self->mask_path);

      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (native), file, NULL);
    }
  else
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), "hot-pixels.txt");
  g_signal_connect (native, "response", G_CALLBACK (save_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
load_mask_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = mask_file_filter ();

  native = gtk_file_chooser_native_new (_("Load Hot-Pixel Mask"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Load"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_signal_connect (native, "response", G_CALLBACK (load_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
apply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  EvsHotPixelsDialog *self = EVS_HOT_PIXELS_DIALOG (widget);
  EvsFilter *filter;

  if (self->use_mask)
    {
      /* The pipeline records the mask's file, so that presets and
       * evscope-cli can reproduce it: save an edited mask first */
      if (self->mask_path == NULL || self->mask_dirty)
        {
          self->apply_after_save = TRUE;
          save_mask_action (widget, "hot-pixels.save-mask", NULL);
        }
      else
        apply_mask_file (self);
      return;
    }

  filter = find_or_add_filter (self);
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
  g_clear_pointer (&self->edits, g_free);
  g_clear_pointer (&self->marked, g_array_unref);
  g_clear_pointer (&self->mask_path, g_free);
  g_clear_pointer (&self->pending_mask, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, EvsHotPixelsDialog, marks_area);
  gtk_widget_class_bind_template_callback (widget_class, map_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, histogram_drag_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, histogram_drag_update_cb);

  gtk_widget_class_install_action (widget_class, "hot-pixels.apply", NULL, apply_action);
  gtk_widget_class_install_action (widget_class, "hot-pixels.save-mask", NULL, save_mask_action);
  gtk_widget_class_install_action (widget_class, "hot-pixels.load-mask", NULL, load_mask_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
evs_hot_pixels_dialog_init (EvsHotPixelsDialog *self)
{
  self->threshold = 100.0;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->histogram_area, draw_histogram, self, NULL);
  gtk_drawing_area_set_draw_func (self->marks_area, draw_marks, self, NULL);
  update_actions (self);
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
        EvsHotPixelsCriterion criterion;
        g_autofree char *mask = NULL;

        g_object_get (evs_pipeline_get_filter (pipeline, i),
                      "max-rate-hz", &self->threshold,
                      "criterion", &criterion,
                      "mask", &mask,
                      NULL);
        /* A filter using a mask file: show and edit that mask */
        if (criterion == EVS_HOT_PIXELS_CRITERION_MASK && mask != NULL && *mask != '\0')
          self->pending_mask = g_steal_pointer (&mask);
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
  if (self->use_mask)
    self->mask_dirty = TRUE; /* the pixels above the threshold are part of the mask */
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

/**
 * evs_hot_pixels_dialog_toggle_pixel:
 *
 * Adds the sensor pixel (@x, @y) to the mask, or removes it, as a click on
 * the map does.  Does nothing before the map is ready.
 */
void
evs_hot_pixels_dialog_toggle_pixel (EvsHotPixelsDialog *self,
                                    guint               x,
                                    guint               y)
{
  g_return_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self));

  if (self->map == NULL || x >= self->map->width || y >= self->map->height)
    return;
  ensure_edits (self);
  set_edit (self, x, y, !is_masked (self, x, y));
  mask_changed (self);
}

/**
 * evs_hot_pixels_dialog_get_mask:
 * @n_pixels: (out): the number of pixels
 *
 * Returns: (transfer full) (array length=n_pixels): the mask (the pixels
 *   above the threshold, plus the added, minus the removed ones) as
 *   `x | y << 16`, row by row; %NULL before the map is ready
 */
guint32 *
evs_hot_pixels_dialog_get_mask (EvsHotPixelsDialog *self,
                                guint              *n_pixels)
{
  GArray *out;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), NULL);
  g_return_val_if_fail (n_pixels != NULL, NULL);

  *n_pixels = 0;
  if (self->map == NULL)
    return NULL;
  out = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint y = 0; y < self->map->height; y++)
    for (guint x = 0; x < self->map->width; x++)
      if (is_masked (self, x, y))
        {
          guint32 v = x | (guint32) y << 16;

          g_array_append_val (out, v);
        }
  *n_pixels = out->len;
  return (guint32 *) g_array_free (out, FALSE);
}

/**
 * evs_hot_pixels_dialog_save_mask:
 * @path: ends with .png for a PNG, anything else for “x y” text lines
 *
 * Saves the mask with the hot_pixels filter's writer; the file becomes the
 * one "Apply to Pipeline" gives the filter.
 */
gboolean
evs_hot_pixels_dialog_save_mask (EvsHotPixelsDialog  *self,
                                 const char          *path,
                                 GError             **error)
{
  g_autoptr(EvsFilter) codec = NULL;
  g_autofree guint32 *pixels = NULL;
  guint n = 0;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->map == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("The pixel counts are not ready yet"));
      return FALSE;
    }
  pixels = evs_hot_pixels_dialog_get_mask (self, &n);
  codec = evs_hot_pixels_filter_new ();
  evs_hot_pixels_filter_set_mask (EVS_HOT_PIXELS_FILTER (codec), pixels, n, self->map->width,
                                  self->map->height);
  if (!evs_hot_pixels_filter_save_mask (EVS_HOT_PIXELS_FILTER (codec), path, error))
    return FALSE;
  g_free (self->mask_path);
  self->mask_path = g_strdup (path);
  self->use_mask = TRUE;
  self->mask_dirty = FALSE;
  update_status (self);
  return TRUE;
}

/**
 * evs_hot_pixels_dialog_load_mask:
 * @path: a PNG (non-black pixels are in the mask) or a text file of “x y”
 *   lines, read by the hot_pixels filter's reader
 *
 * Replaces the mask with the file's: the pixels where it differs from the
 * threshold's selection become edits.
 */
gboolean
evs_hot_pixels_dialog_load_mask (EvsHotPixelsDialog  *self,
                                 const char          *path,
                                 GError             **error)
{
  g_autoptr(EvsFilter) codec = NULL;
  g_autofree guint32 *pixels = NULL;
  g_autofree guint8 *loaded = NULL;
  guint n = 0;

  g_return_val_if_fail (EVS_IS_HOT_PIXELS_DIALOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->map == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   _("The pixel counts are not ready yet"));
      return FALSE;
    }
  codec = evs_hot_pixels_filter_new ();
  if (!evs_hot_pixels_filter_load_mask (EVS_HOT_PIXELS_FILTER (codec), path, error))
    return FALSE;
  pixels = evs_hot_pixels_filter_get_hot_pixels (EVS_HOT_PIXELS_FILTER (codec), &n);
  loaded = g_malloc0 ((gsize) self->map->width * self->map->height);
  for (guint i = 0; i < n; i++)
    {
      guint x = pixels[i] & 0xFFFF, y = pixels[i] >> 16;

      if (x >= self->map->width || y >= self->map->height)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("The mask “%s” holds pixel (%u, %u), outside the %u×%u sensor"),
                       path, x, y, self->map->width, self->map->height);
          return FALSE;
        }
      loaded[(gsize) y * self->map->width + x] = 1;
    }
  ensure_edits (self);
  for (guint y = 0; y < self->map->height; y++)
    for (guint x = 0; x < self->map->width; x++)
      set_edit (self, x, y, loaded[(gsize) y * self->map->width + x]);
  mask_changed (self);
  g_free (self->mask_path);
  self->mask_path = g_strdup (path);
  self->mask_dirty = FALSE;
  update_status (self);
  return TRUE;
}
