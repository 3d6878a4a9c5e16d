/* evs-frame-view.c
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

#define G_LOG_DOMAIN "evs-frame-view"

#include "config.h"

#include "evs-frame-view.h"
#include "evs-filters.h"
#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>

/* Shows the session's latest frame.  The pixels are rendered off-thread
 * (EvsLoader); here they are only wrapped (a GdkMemoryTexture over the
 * frame's bytes, no copy) and drawn scaled: snapshot() is O(pixels).
 * Upscaled frames are drawn through cairo with CAIRO_FILTER_NEAREST for
 * crisp sensor pixels (GTK 4.8 has no nearest-filtered texture node).
 * The rectangles of the pipeline's ROI filter are drawn over the frame
 * (they are edited in the workbench's preview view). */

#define MIN_ZOOM 0.05
#define MAX_ZOOM 64.0
#define ZOOM_STEP 1.25

struct _EvsFrameView
{
  GtkWidget        parent_instance;

  EvsSession      *session;
  EvsFrame        *frame;
  GdkTexture      *texture;
  cairo_surface_t *surface;

  double           zoom;      /* 0: fit */
  double           center_x;  /* sensor coordinates at the widget centre when zoomed */
  double           center_y;
  double           drag_center_x;
  double           drag_center_y;
  double           pinch_start_zoom;

  gboolean         hovering;
  double           hover_wx;
  double           hover_wy;
  char            *hover_text;
};

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ZOOM,
  PROP_HOVER_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsFrameView, evs_frame_view, GTK_TYPE_WIDGET)

static double
fit_scale (EvsFrameView *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->frame == NULL || self->frame->width == 0 || self->frame->height == 0 || w <= 0 || h <= 0)
    return 1.0;

  return MIN ((double) w / self->frame->width, (double) h / self->frame->height);
}

/**
 * evs_frame_view_get_scale:
 *
 * Returns: widget pixels per sensor pixel
 */
double
evs_frame_view_get_scale (EvsFrameView *self)
{
  g_return_val_if_fail (EVS_IS_FRAME_VIEW (self), 1.0);

  return self->zoom > 0 ? self->zoom : fit_scale (self);
}

static void
get_origin (EvsFrameView *self,
            double        scale,
            double       *ox,
            double       *oy)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->frame == NULL)
    {
      *ox = *oy = 0;
      return;
    }

  if (self->zoom > 0)
    {
      *ox = w / 2.0 - self->center_x * scale;
      *oy = h / 2.0 - self->center_y * scale;
    }
  else
    {
      *ox = (w - self->frame->width * scale) / 2.0;
      *oy = (h - self->frame->height * scale) / 2.0;
    }

  /* Whole device pixels keep nearest-neighbour cells even. */
  *ox = round (*ox);
  *oy = round (*oy);
}

static void
update_hover_text (EvsFrameView *self)
{
  g_autofree char *text = NULL;

  if (self->hovering && self->frame != NULL)
    {
      double scale = evs_frame_view_get_scale (self);
      double ox, oy, sx, sy;
      guint count;
      gint64 last;

      get_origin (self, scale, &ox, &oy);
      sx = floor ((self->hover_wx - ox) / scale);
      sy = floor ((self->hover_wy - oy) / scale);
      if (sx >= 0 && sy >= 0 && evs_frame_lookup (self->frame, (guint) sx, (guint) sy, &count, &last))
        {
          if (last >= 0)
            /* Translators: pixel inspector: x, y, events in the window, last event time */
            text = g_strdup_printf (_("x %u  y %u  ·  %u events  ·  last at %.6f s"),
                                    (guint) sx, (guint) sy, count, last / 1e6);
          else
            text = g_strdup_printf (_("x %u  y %u  ·  no events"), (guint) sx, (guint) sy);
        }
    }

  if (g_strcmp0 (text, self->hover_text) != 0)
    {
      g_free (self->hover_text);
      self->hover_text = g_steal_pointer (&text);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOVER_TEXT]);
    }
}

static void
frame_changed_cb (EvsFrameView *self)
{
  EvsFrame *frame = self->session ? evs_session_get_frame (self->session) : NULL;
  gboolean size_changed;

  if (frame == self->frame)
    return;

  size_changed = frame == NULL || self->frame == NULL || frame->width != self->frame->width
                 || frame->height != self->frame->height;

  g_clear_object (&self->texture);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->frame, evs_frame_unref);

  if (frame != NULL)
    {
      self->frame = evs_frame_ref (frame);
      self->texture = gdk_memory_texture_new (frame->width, frame->height, GDK_MEMORY_DEFAULT,
                                              frame->pixels, frame->stride);
      self->surface = evs_frame_create_surface (frame);
      if (size_changed)
        {
          self->center_x = frame->width / 2.0;
          self->center_y = frame->height / 2.0;
        }
    }

  update_hover_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static EvsRoiFilter *
find_roi (EvsFrameView *self)
{
  EvsPipeline *pipeline = self->session ? evs_session_get_pipeline (self->session) : NULL;

  for (guint i = 0; pipeline != NULL && i < evs_pipeline_get_n_filters (pipeline); i++)
    if (EVS_IS_ROI_FILTER (evs_pipeline_get_filter (pipeline, i)))
      return EVS_ROI_FILTER (evs_pipeline_get_filter (pipeline, i));
  return NULL;
}

/* The ROI rectangles, in the colour of the preview view's, as a cairo node
 * over the widget: O(rectangles) */
static void
snapshot_rois (EvsFrameView *self,
               GtkSnapshot  *snapshot,
               double        ox,
               double        oy,
               double        scale)
{
  EvsRoiFilter *roi = find_roi (self);
  const EvsRoiRect *rects;
  graphene_rect_t bounds;
  guint n_rects = 0;
  cairo_t *cr;

  if (roi == NULL || (rects = evs_roi_filter_get_rects (roi, &n_rects)) == NULL || n_rects == 0)
    return;
  graphene_rect_init (&bounds, 0, 0, gtk_widget_get_width (GTK_WIDGET (self)),
                      gtk_widget_get_height (GTK_WIDGET (self)));
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, 0.2, 1.0, 0.4, 1.0);
  if (!evs_filter_get_enabled (EVS_FILTER (roi)))
    {
      static const double dash[] = { 4.0, 4.0 };

      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
    }
  for (guint i = 0; i < n_rects; i++)
    {
      const EvsRoiRect *r = &rects[i];

      cairo_rectangle (cr, round (ox + r->x_min * scale) + 0.5, round (oy + r->y_min * scale) + 0.5,
                       round ((r->x_max + 1 - r->x_min) * scale),
                       round ((r->y_max + 1 - r->y_min) * scale));
    }
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
evs_frame_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  EvsFrameView *self = EVS_FRAME_VIEW (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  double scale, ox, oy;
  graphene_rect_t image, visible, bounds;

  if (self->frame == NULL || self->frame->width == 0 || w <= 0 || h <= 0)
    return;

  scale = evs_frame_view_get_scale (self);
  get_origin (self, scale, &ox, &oy);

  graphene_rect_init (&image, ox, oy, self->frame->width * scale, self->frame->height * scale);
  graphene_rect_init (&bounds, 0, 0, w, h);
  if (!graphene_rect_intersection (&image, &bounds, &visible))
    ;
  else if (scale < 1.0)
    {
      gtk_snapshot_push_clip (snapshot, &visible);
      gtk_snapshot_append_texture (snapshot, self->texture, &image);
      gtk_snapshot_pop (snapshot);
    }
  else
    {
      cairo_t *cr;

      /* Only the visible part: the node is rasterised at its own size. */
      graphene_rect_round_extents (&visible, &visible);
      cr = gtk_snapshot_append_cairo (snapshot, &visible);
      cairo_rectangle (cr, visible.origin.x, visible.origin.y, visible.size.width, visible.size.height);
      cairo_clip (cr);
      cairo_translate (cr, ox, oy);
      cairo_scale (cr, scale, scale);
      cairo_set_source_surface (cr, self->surface, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_destroy (cr);
    }
  snapshot_rois (self, snapshot, ox, oy, scale);
}

static void
evs_frame_view_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  update_hover_text (EVS_FRAME_VIEW (widget));
}

static void
zoom_around (EvsFrameView *self,
             double        new_zoom,
             double        wx,
             double        wy)
{
  double scale = evs_frame_view_get_scale (self);
  double ox, oy, sx, sy;
  int w = gtk_widget_get_width (GTK_WIDGET (self));
  int h = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->frame == NULL)
    return;

  /* Keep the sensor point under (wx, wy) in place. */
  get_origin (self, scale, &ox, &oy);
  sx = (wx - ox) / scale;
  sy = (wy - oy) / scale;
  new_zoom = CLAMP (new_zoom, MIN_ZOOM, MAX_ZOOM);
  self->center_x = sx - (wx - w / 2.0) / new_zoom;
  self->center_y = sy - (wy - h / 2.0) / new_zoom;
  evs_frame_view_set_zoom (self, new_zoom);
}

static gboolean
scroll_cb (EvsFrameView             *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  double scale = evs_frame_view_get_scale (self);
  double factor = pow (ZOOM_STEP, -dy);
  double wx = self->hovering ? self->hover_wx : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
  double wy = self->hovering ? self->hover_wy : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;

  if (dy == 0)
    return FALSE;

  zoom_around (self, scale * factor, wx, wy);
  return TRUE;
}

static void
motion_cb (EvsFrameView             *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  self->hovering = TRUE;
  self->hover_wx = x;
  self->hover_wy = y;
  update_hover_text (self);
}

static void
leave_cb (EvsFrameView             *self,
          GtkEventControllerMotion *controller)
{
  self->hovering = FALSE;
  update_hover_text (self);
}

static void
drag_begin_cb (EvsFrameView   *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  self->drag_center_x = self->center_x;
  self->drag_center_y = self->center_y;
}

static void
drag_update_cb (EvsFrameView   *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double scale = evs_frame_view_get_scale (self);

  if (self->zoom <= 0)
    {
      /* A real drag (not a click) pans, starting from the fitted view. */
      if (hypot (offset_x, offset_y) < 4 || self->frame == NULL)
        return;
      self->zoom = scale;
      self->drag_center_x = self->frame->width / 2.0;
      self->drag_center_y = self->frame->height / 2.0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }

  self->center_x = self->drag_center_x - offset_x / scale;
  self->center_y = self->drag_center_y - offset_y / scale;
  update_hover_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
pinch_begin_cb (EvsFrameView     *self,
                GdkEventSequence *sequence,
                GtkGesture       *gesture)
{
  self->pinch_start_zoom = evs_frame_view_get_scale (self);
}

static void
pinch_scale_changed_cb (EvsFrameView   *self,
                        double          scale,
                        GtkGestureZoom *gesture)
{
  double cx, cy;

  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    {
      cx = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      cy = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
    }
  zoom_around (self, self->pinch_start_zoom * scale, cx, cy);
}

static void
evs_frame_view_dispose (GObject *object)
{
  EvsFrameView *self = (EvsFrameView *) object;

  evs_frame_view_set_session (self, NULL);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->surface, cairo_surface_destroy);
  g_clear_pointer (&self->frame, evs_frame_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_FRAME_VIEW);

  G_OBJECT_CLASS (evs_frame_view_parent_class)->dispose (object);
}

static void
evs_frame_view_finalize (GObject *object)
{
  EvsFrameView *self = (EvsFrameView *) object;

  g_free (self->hover_text);

  G_OBJECT_CLASS (evs_frame_view_parent_class)->finalize (object);
}

static void
evs_frame_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  EvsFrameView *self = EVS_FRAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    case PROP_HOVER_TEXT:
      g_value_set_string (value, self->hover_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_frame_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  EvsFrameView *self = EVS_FRAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      evs_frame_view_set_session (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      evs_frame_view_set_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_frame_view_class_init (EvsFrameViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_frame_view_dispose;
  object_class->finalize = evs_frame_view_finalize;
  object_class->get_property = evs_frame_view_get_property;
  object_class->set_property = evs_frame_view_set_property;

  widget_class->snapshot = evs_frame_view_snapshot;
  widget_class->size_allocate = evs_frame_view_size_allocate;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, EVS_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0, MAX_ZOOM, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOVER_TEXT] =
    g_param_spec_string ("hover-text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Referencing the resource links it (and its constructor) from the static library. */
  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-frame-view.ui");
  gtk_widget_class_bind_template_callback (widget_class, scroll_cb);
  gtk_widget_class_bind_template_callback (widget_class, motion_cb);
  gtk_widget_class_bind_template_callback (widget_class, leave_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, pinch_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, pinch_scale_changed_cb);
  gtk_widget_class_set_css_name (widget_class, "evs-frame-view");
}

static void
evs_frame_view_init (EvsFrameView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
evs_frame_view_new (void)
{
  return g_object_new (EVS_TYPE_FRAME_VIEW, NULL);
}

EvsSession *
evs_frame_view_get_session (EvsFrameView *self)
{
  g_return_val_if_fail (EVS_IS_FRAME_VIEW (self), NULL);
  return self->session;
}

void
evs_frame_view_set_session (EvsFrameView *self,
                            EvsSession   *session)
{
  g_return_if_fail (EVS_IS_FRAME_VIEW (self));
  g_return_if_fail (!session || EVS_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (evs_session_get_pipeline (self->session), self);
    }
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::frame", G_CALLBACK (frame_changed_cb), self,
                               G_CONNECT_SWAPPED);
      /* ROI edits redraw the overlay */
      g_signal_connect_object (evs_session_get_pipeline (session), "changed",
                               G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
    }

  frame_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * evs_frame_view_get_zoom:
 *
 * Returns: the zoom (widget pixels per sensor pixel), or 0 when fitting
 */
double
evs_frame_view_get_zoom (EvsFrameView *self)
{
  g_return_val_if_fail (EVS_IS_FRAME_VIEW (self), 0);
  return self->zoom;
}

void
evs_frame_view_set_zoom (EvsFrameView *self,
                         double        zoom)
{
  g_return_if_fail (EVS_IS_FRAME_VIEW (self));

  if (zoom > 0)
    zoom = CLAMP (zoom, MIN_ZOOM, MAX_ZOOM);
  else
    zoom = 0;
  if (zoom == 0 && self->frame != NULL)
    {
      self->center_x = self->frame->width / 2.0;
      self->center_y = self->frame->height / 2.0;
    }

  if (zoom != self->zoom)
    {
      self->zoom = zoom;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
    }
  update_hover_text (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
evs_frame_view_zoom_in (EvsFrameView *self)
{
  g_return_if_fail (EVS_IS_FRAME_VIEW (self));

  if (self->zoom <= 0 && self->frame != NULL)
    {
      self->center_x = self->frame->width / 2.0;
      self->center_y = self->frame->height / 2.0;
    }
  evs_frame_view_set_zoom (self, evs_frame_view_get_scale (self) * ZOOM_STEP);
}

void
evs_frame_view_zoom_out (EvsFrameView *self)
{
  g_return_if_fail (EVS_IS_FRAME_VIEW (self));

  if (self->zoom <= 0 && self->frame != NULL)
    {
      self->center_x = self->frame->width / 2.0;
      self->center_y = self->frame->height / 2.0;
    }
  evs_frame_view_set_zoom (self, evs_frame_view_get_scale (self) / ZOOM_STEP);
}

const char *
evs_frame_view_get_hover_text (EvsFrameView *self)
{
  g_return_val_if_fail (EVS_IS_FRAME_VIEW (self), NULL);
  return self->hover_text;
}

/**
 * evs_frame_view_get_texture:
 *
 * Returns: (nullable) (transfer none): the texture of the frame on show
 */
GdkTexture *
evs_frame_view_get_texture (EvsFrameView *self)
{
  g_return_val_if_fail (EVS_IS_FRAME_VIEW (self), NULL);
  return self->texture;
}
