/* evs-timeline.c
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

#define G_LOG_DOMAIN "evs-timeline"

#include "config.h"

#include "evs-timeline.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

/* The strip under the view: the whole recording's event rate (OFF stacked
 * under ON, binned on the loader thread: EvsRate), the playback loop, the
 * current window and the cursor.  Clicking or dragging seeks through the
 * "win.seek" action; Shift+drag selects the loop.  snapshot() is O(bins). */

struct _EvsTimeline
{
  GtkWidget   parent_instance;

  EvsSession *session;
  EvsRate    *rate;
  double      max_total;  /* events in the busiest bin */
  double      max_rate;   /* events / s in the busiest bin */
  gboolean    selecting;
  double      select_x;
  gboolean    log_scale;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_LOG_SCALE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsTimeline, evs_timeline, GTK_TYPE_WIDGET)

static void
rate_changed_cb (EvsTimeline *self)
{
  EvsLoader *loader = self->session ? evs_session_get_loader (self->session) : NULL;
  EvsRate *rate = loader ? evs_loader_get_rate (loader) : NULL;

  if (rate == self->rate)
    return;

  g_clear_pointer (&self->rate, evs_rate_unref);
  self->max_total = 0;
  self->max_rate = 0;
  if (rate != NULL)
    {
      self->rate = evs_rate_ref (rate);
      self->max_total = evs_rate_get_max (rate);
      self->max_rate = self->max_total / ((double) (rate->t_end - rate->t_first) / rate->n_bins / 1e6);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static double
scale_value (EvsTimeline *self,
             double       v)
{
  /* Log scale over three decades below the busiest bin */
  if (self->log_scale && v > 0)
    return CLAMP (1.0 + log10 (v) / 3.0, 0.0, 1.0);
  return v;
}

/* The time axis: the recording once indexed; while indexing, the partial
 * rate's, whose end is extrapolated from the scan's progress. */
static void
get_axis (EvsTimeline *self,
          gint64      *t0,
          gint64      *t1)
{
  if (self->rate != NULL && self->rate->partial)
    {
      *t0 = self->rate->t_first;
      *t1 = self->rate->t_end;
    }
  else
    {
      *t0 = evs_session_get_t_first (self->session);
      *t1 = evs_session_get_t_last (self->session) + 1;
    }
}

static void
time_to_x (EvsTimeline *self,
           gint64       t,
           double      *x)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  gint64 t0, t1;

  get_axis (self, &t0, &t1);
  *x = t1 > t0 ? (double) (t - t0) / (t1 - t0) * w : 0;
}

static void
evs_timeline_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  EvsTimeline *self = EVS_TIMELINE (widget);
  double w = gtk_widget_get_width (widget);
  double h = gtk_widget_get_height (widget);
  GdkRGBA on = { ((EVS_RENDER_ON_COLOR >> 16) & 0xff) / 255.0,
                 ((EVS_RENDER_ON_COLOR >> 8) & 0xff) / 255.0,
                 (EVS_RENDER_ON_COLOR & 0xff) / 255.0, 0.9 };
  GdkRGBA off = { ((EVS_RENDER_OFF_COLOR >> 16) & 0xff) / 255.0,
                  ((EVS_RENDER_OFF_COLOR >> 8) & 0xff) / 255.0,
                  (EVS_RENDER_OFF_COLOR & 0xff) / 255.0, 0.9 };
  GdkRGBA fg;
  GdkRGBA window_color;
  double x_start, x_end;

  if (self->session == NULL || !evs_session_get_loaded (self->session))
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);

  if (!evs_session_get_indexed (self->session))
    {
      /* The rate comes with the index: until then, show how far the scan is. */
      EvsLoader *loader = evs_session_get_loader (self->session);
      double fraction = loader ? evs_loader_get_fraction (loader) : 0;
      g_autofree char *text = g_strdup_printf (_("Indexing… %.0f %%"), fraction * 100);
      PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
      GdkRGBA fill = fg;
      int lw, lh;

      fill.alpha = 0.12;
      gtk_snapshot_append_color (snapshot, &fill, &GRAPHENE_RECT_INIT (0, 0, w * fraction, h));
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((w - lw) / 2, (h - lh) / 2));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
      g_object_unref (layout);
    }

  if (self->rate != NULL && self->max_total > 0)
    {
      const EvsRate *rate = self->rate;
      double x0, x1, bw;

      /* The rate's bins span [t_first, t_last + 1], as the time axis does. */
      time_to_x (self, rate->t_first, &x0);
      time_to_x (self, rate->t_end, &x1);
      bw = (x1 - x0) / rate->n_bins;
      if (rate->partial)
        {
          on.alpha = 0.5;
          off.alpha = 0.5;
        }

      for (guint k = 0; k < rate->n_bins; k++)
        {
          double sum = rate->on[k] + rate->off[k];
          double total = scale_value (self, sum / self->max_total) * h;
          double off_h = sum > 0 ? total * rate->off[k] / sum : 0;

          if (total <= 0)
            continue;
          gtk_snapshot_append_color (snapshot, &off,
                                     &GRAPHENE_RECT_INIT (x0 + k * bw, h - off_h, bw + 0.5, off_h));
          gtk_snapshot_append_color (snapshot, &on,
                                     &GRAPHENE_RECT_INIT (x0 + k * bw, h - total, bw + 0.5,
                                                          total - off_h));
        }
    }

  /* The playback loop */
  if (evs_session_get_loop_end (self->session) > evs_session_get_loop_start (self->session))
    {
      GdkRGBA loop = { 0.21, 0.52, 0.89, 0.35 };
      double a, b;

      time_to_x (self, evs_session_get_loop_start (self->session), &a);
      time_to_x (self, evs_session_get_loop_end (self->session), &b);
      gtk_snapshot_append_color (snapshot, &loop, &GRAPHENE_RECT_INIT (a, 0, MAX (b - a, 1), h));
    }

  /* The current window, at least 2 px wide, and the cursor at its end */
  time_to_x (self, evs_session_get_time (self->session) - evs_session_get_window_span (self->session),
             &x_start);
  time_to_x (self, evs_session_get_time (self->session), &x_end);
  window_color = fg;
  window_color.alpha = 0.25;
  gtk_snapshot_append_color (snapshot, &window_color,
                             &GRAPHENE_RECT_INIT (MIN (x_start, x_end - 2), 0,
                                                  MAX (x_end - x_start, 2), h));
  gtk_snapshot_append_color (snapshot, &fg, &GRAPHENE_RECT_INIT (x_end - 1, 0, 2, h));
}

static void
seek_to_x (EvsTimeline *self,
           double       x)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  gint64 t0, t1, t;

  if (self->session == NULL || !evs_session_get_indexed (self->session) || w <= 0)
    return;

  t0 = evs_session_get_t_first (self->session);
  t1 = evs_session_get_t_last (self->session) + 1;
  t = t0 + (gint64) (CLAMP (x / w, 0.0, 1.0) * (t1 - t0));
  gtk_widget_activate_action (GTK_WIDGET (self), "win.seek", "x", t);
}

static gint64
x_to_time (EvsTimeline *self,
           double       x)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  gint64 t0 = evs_session_get_t_first (self->session);
  gint64 t1 = evs_session_get_t_last (self->session) + 1;

  return t0 + (gint64) (CLAMP (x / MAX (w, 1), 0.0, 1.0) * (t1 - t0));
}

static void
select_to_x (EvsTimeline *self,
             double       x)
{
  gint64 a = x_to_time (self, MIN (self->select_x, x));
  gint64 b = x_to_time (self, MAX (self->select_x, x));

  gtk_widget_activate_action (GTK_WIDGET (self), "win.set-loop", "(xx)", a, b);
}

static void
drag_begin_cb (EvsTimeline    *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  /* Shift-drag selects the playback loop; a plain click or drag seeks. */
  self->selecting = (state & GDK_SHIFT_MASK) != 0;
  self->select_x = x;
  if (self->selecting)
    {
      if (self->session != NULL && evs_session_get_indexed (self->session))
        gtk_widget_activate_action (GTK_WIDGET (self), "win.set-loop", "(xx)",
                                    (gint64) 0, (gint64) 0);
    }
  else
    seek_to_x (self, x);
}

static void
drag_update_cb (EvsTimeline    *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double x, y;

  if (!gtk_gesture_drag_get_start_point (gesture, &x, &y))
    return;
  if (!self->selecting)
    seek_to_x (self, x + offset_x);
  else if (self->session != NULL && evs_session_get_indexed (self->session))
    select_to_x (self, x + offset_x);
}

static void
queue_draw_cb (EvsTimeline *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
loader_changed_cb (EvsTimeline *self)
{
  EvsLoader *loader = evs_session_get_loader (self->session);

  if (loader != NULL)
    {
      g_signal_connect_object (loader, "notify::fraction", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (loader, "notify::rate", G_CALLBACK (rate_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  rate_changed_cb (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
evs_timeline_dispose (GObject *object)
{
  EvsTimeline *self = (EvsTimeline *) object;

  evs_timeline_set_session (self, NULL);
  g_clear_pointer (&self->rate, evs_rate_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_TIMELINE);

  G_OBJECT_CLASS (evs_timeline_parent_class)->dispose (object);
}

static void
evs_timeline_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  EvsTimeline *self = EVS_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_LOG_SCALE:
      g_value_set_boolean (value, self->log_scale);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_timeline_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  EvsTimeline *self = EVS_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      evs_timeline_set_session (self, g_value_get_object (value));
      break;
    case PROP_LOG_SCALE:
      evs_timeline_set_log_scale (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_timeline_class_init (EvsTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_timeline_dispose;
  object_class->get_property = evs_timeline_get_property;
  object_class->set_property = evs_timeline_set_property;

  widget_class->snapshot = evs_timeline_snapshot;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, EVS_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOG_SCALE] =
    g_param_spec_boolean ("log-scale", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Referencing the resource links it (and its constructor) from the static library. */
  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-timeline.ui");
  gtk_widget_class_bind_template_callback (widget_class, drag_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_update_cb);
  gtk_widget_class_set_css_name (widget_class, "evs-timeline");
}

static void
evs_timeline_init (EvsTimeline *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

EvsSession *
evs_timeline_get_session (EvsTimeline *self)
{
  g_return_val_if_fail (EVS_IS_TIMELINE (self), NULL);
  return self->session;
}

void
evs_timeline_set_session (EvsTimeline *self,
                          EvsSession  *session)
{
  g_return_if_fail (EVS_IS_TIMELINE (self));
  g_return_if_fail (!session || EVS_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::indexed", G_CALLBACK (rate_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::time", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::window-us", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::loaded", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::frame", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::loop-end", G_CALLBACK (queue_draw_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::loader", G_CALLBACK (loader_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }

  rate_changed_cb (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gboolean
evs_timeline_get_log_scale (EvsTimeline *self)
{
  g_return_val_if_fail (EVS_IS_TIMELINE (self), FALSE);
  return self->log_scale;
}

void
evs_timeline_set_log_scale (EvsTimeline *self,
                            gboolean     log_scale)
{
  g_return_if_fail (EVS_IS_TIMELINE (self));

  log_scale = !!log_scale;
  if (log_scale == self->log_scale)
    return;

  self->log_scale = log_scale;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOG_SCALE]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
evs_timeline_get_n_bins (EvsTimeline *self)
{
  g_return_val_if_fail (EVS_IS_TIMELINE (self), 0);
  return self->rate ? self->rate->n_bins : 0;
}

/**
 * evs_timeline_get_max_rate:
 *
 * Returns: the event rate of the busiest bin, in events per second
 */
double
evs_timeline_get_max_rate (EvsTimeline *self)
{
  g_return_val_if_fail (EVS_IS_TIMELINE (self), 0);
  return self->max_rate;
}
