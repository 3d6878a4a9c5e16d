/* evs-preview-view.c
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

#define G_LOG_DOMAIN "evs-preview-view"

#include "config.h"

#include "evs-preview-view.h"

#include "evs-resources.h"

#include <glib/gi18n.h>
#include <math.h>

/* EvsPreviewView shows the current window through the pipeline, as the
 * workbench's compare mode says: the kept events, the kept events with the
 * removed ones painted over, or the raw frame and the kept events side by
 * side — two panes sharing one zoom and centre, so they pan and zoom
 * together.  It also edits the ROI: a drag on empty space draws a
 * rectangle, a drag inside one moves it, a drag on its corner handle
 * resizes it, a click selects, Delete removes the selection; the middle or
 * right button pans, the wheel zooms.  Rectangles are in sensor
 * coordinates and committed to the pipeline's ROI filter at the end of
 * the drag (drag_update only redraws).
 *
 * snapshot() draws the visible part of each image (cairo, nearest
 * neighbour when magnified) and the overlays: O(visible pixels). */

#define MIN_ZOOM 0.05
#define MAX_ZOOM 64.0
#define HANDLE 7.0

typedef enum
{
  DRAG_NONE,
  DRAG_PAN,
  DRAG_NEW,
  DRAG_MOVE,
  DRAG_RESIZE,
} DragKind;

struct _EvsPreviewView
{
  GtkWidget        parent_instance;

  EvsWorkbench    *workbench;
  EvsPreview      *preview;
  EvsFrame        *raw;
  cairo_surface_t *kept_surface;
  cairo_surface_t *overlay_surface;
  cairo_surface_t *raw_surface;

  double           zoom;       /* 0: fit */
  double           center_x;
  double           center_y;
  gboolean         center_set; /* center_x/y hold a chosen centre */

  GtkGestureDrag  *drag_gesture;
  DragKind         drag_kind;
  int              pane;       /* the pane a drag started in */
  double           start_sx;
  double           start_sy;
  double           drag_center_x;
  double           drag_center_y;
  EvsRoiRect       drag_rect;  /* the rectangle being drawn, moved or resized */
  gboolean         drag_moved;
  int              selected;   /* index of the selected ROI rectangle, or -1 */
};

enum {
  PROP_0,
  PROP_WORKBENCH,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (EvsPreviewView, evs_preview_view, GTK_TYPE_WIDGET)

static void
surface_free_bytes (void *data)
{
  g_bytes_unref (data);
}

static cairo_surface_t *
surface_for_bytes (GBytes *bytes,
                   guint   width,
                   guint   height,
                   gsize   stride)
{
  static const cairo_user_data_key_t key;
  cairo_surface_t *surface;

  /* The frame's pixels are cairo's ARGB32 layout; never written to. */
  surface = cairo_image_surface_create_for_data ((guchar *) g_bytes_get_data (bytes, NULL),
                                                 CAIRO_FORMAT_ARGB32, width, height, stride);
  cairo_surface_set_user_data (surface, &key, g_bytes_ref (bytes), surface_free_bytes);
  return surface;
}

static EvsCompareMode
get_mode (EvsPreviewView *self)
{
  return self->workbench ? evs_workbench_get_compare_mode (self->workbench) : EVS_COMPARE_FILTERED;
}

static void
get_sensor_size (EvsPreviewView *self,
                 guint          *width,
                 guint          *height)
{
  if (self->preview != NULL)
    {
      *width = self->preview->kept->width;
      *height = self->preview->kept->height;
    }
  else if (self->raw != NULL)
    {
      *width = self->raw->width;
      *height = self->raw->height;
    }
  else
    *width = *height = 0;
}

static int
get_n_panes (EvsPreviewView *self)
{
  return get_mode (self) == EVS_COMPARE_SIDE_BY_SIDE ? 2 : 1;
}

static double
get_scale (EvsPreviewView *self)
{
  double pw = (double) gtk_widget_get_width (GTK_WIDGET (self)) / get_n_panes (self);
  double ph = gtk_widget_get_height (GTK_WIDGET (self));
  guint width, height;

  if (self->zoom > 0)
    return self->zoom;
  get_sensor_size (self, &width, &height);
  if (width == 0 || height == 0 || pw <= 0 || ph <= 0)
    return 1.0;
  return MIN (pw / width, ph / height);
}

/* The widget position of sensor (0, 0) in @pane */
static void
get_origin (EvsPreviewView *self,
            int             pane,
            double          scale,
            double         *ox,
            double         *oy)
{
  double pw = (double) gtk_widget_get_width (GTK_WIDGET (self)) / get_n_panes (self);
  double ph = gtk_widget_get_height (GTK_WIDGET (self));
  guint width, height;

  get_sensor_size (self, &width, &height);
  if (self->zoom > 0)
    {
      *ox = pw / 2.0 - self->center_x * scale;
      *oy = ph / 2.0 - self->center_y * scale;
    }
  else
    {
      *ox = (pw - width * scale) / 2.0;
      *oy = (ph - height * scale) / 2.0;
    }
  *ox = round (*ox) + round (pane * pw);
  *oy = round (*oy);
}

static int
pane_at (EvsPreviewView *self,
         double          wx)
{
  double pw = (double) gtk_widget_get_width (GTK_WIDGET (self)) / get_n_panes (self);

  return get_n_panes (self) == 2 && wx >= pw ? 1 : 0;
}

/**
 * evs_preview_view_widget_to_sensor:
 *
 * Converts a widget position to sensor coordinates (in the pane under it).
 *
 * Returns: %TRUE when a recording is shown
 */
gboolean
evs_preview_view_widget_to_sensor (EvsPreviewView *self,
                                   double          wx,
                                   double          wy,
                                   double         *sx,
                                   double         *sy)
{
  double scale, ox, oy;
  guint width, height;

  g_return_val_if_fail (EVS_IS_PREVIEW_VIEW (self), FALSE);

  get_sensor_size (self, &width, &height);
  if (width == 0)
    return FALSE;
  scale = get_scale (self);
  get_origin (self, pane_at (self, wx), scale, &ox, &oy);
  *sx = (wx - ox) / scale;
  *sy = (wy - oy) / scale;
  return TRUE;
}

static const EvsRoiRect *
get_rects (EvsPreviewView *self,
           guint          *n_rects)
{
  EvsRoiFilter *roi = self->workbench ? evs_workbench_find_roi (self->workbench, NULL) : NULL;

  *n_rects = 0;
  if (roi == NULL)
    return NULL;
  return evs_roi_filter_get_rects (roi, n_rects);
}

static void
draw_image (cairo_t         *cr,
            cairo_surface_t *surface,
            double           ox,
            double           oy,
            double           scale)
{
  if (surface == NULL)
    return;
  cairo_save (cr);
  cairo_translate (cr, ox, oy);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr),
                            scale >= 1.0 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
draw_rect (cairo_t          *cr,
           const EvsRoiRect *r,
           double            ox,
           double            oy,
           double            scale,
           gboolean          selected)
{
  double x = ox + r->x_min * scale, y = oy + r->y_min * scale;
  double w = (r->x_max + 1 - r->x_min) * scale, h = (r->y_max + 1 - r->y_min) * scale;

  cairo_rectangle (cr, round (x) + 0.5, round (y) + 0.5, round (w), round (h));
  cairo_set_line_width (cr, selected ? 2.0 : 1.0);
  cairo_set_source_rgba (cr, 0.2, 1.0, 0.4, 1.0);
  cairo_stroke (cr);
  /* The resize handle */
  cairo_rectangle (cr, round (x + w) - HANDLE / 2, round (y + h) - HANDLE / 2, HANDLE, HANDLE);
  cairo_fill (cr);
}

static void
evs_preview_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  EvsPreviewView *self = EVS_PREVIEW_VIEW (widget);
  int w = gtk_widget_get_width (widget);
  int h = gtk_widget_get_height (widget);
  int n_panes = get_n_panes (self);
  double scale;
  guint width, height, n_rects;
  const EvsRoiRect *rects;
  graphene_rect_t bounds;
  cairo_t *cr;

  get_sensor_size (self, &width, &height);
  if (width == 0 || w <= 0 || h <= 0)
    return;

  scale = get_scale (self);
  rects = get_rects (self, &n_rects);
  graphene_rect_init (&bounds, 0, 0, w, h);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  for (int pane = 0; pane < n_panes; pane++)
    {
      double ox, oy, pw = (double) w / n_panes;
      cairo_surface_t *surface;
      const char *label = NULL;

      if (get_mode (self) == EVS_COMPARE_REMOVED)
        surface = self->overlay_surface;
      else if (n_panes == 2 && pane == 0)
        surface = self->raw_surface, label = _("Raw");
      else
        surface = self->kept_surface, label = n_panes == 2 ? _("Filtered") : NULL;
      /* No preview (an empty pipeline): the events are the raw ones */
      if (surface == NULL && self->preview == NULL)
        surface = self->raw_surface;

      get_origin (self, pane, scale, &ox, &oy);
      cairo_save (cr);
      cairo_rectangle (cr, round (pane * pw), 0, round (pw), h);
      cairo_clip (cr);
      draw_image (cr, surface, ox, oy, scale);

      for (guint i = 0; i < n_rects; i++)
        {
          if (self->drag_kind >= DRAG_MOVE && (int) i == self->selected)
            continue;
          draw_rect (cr, &rects[i], ox, oy, scale, (int) i == self->selected);
        }
      if (self->drag_kind >= DRAG_NEW && self->drag_moved)
        draw_rect (cr, &self->drag_rect, ox, oy, scale, TRUE);

      if (label != NULL)
        {
          cairo_text_extents_t extents;
          double lx = round (pane * pw) + 10, ly = h - 14;

          /* Bottom left, clear of the window's overlay labels at the top */
          cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
          cairo_set_font_size (cr, 13);
          cairo_text_extents (cr, label, &extents);
          cairo_rectangle (cr, lx - 6, ly - extents.height - 6, extents.x_advance + 12,
                           extents.height + 12);
          cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
          cairo_fill (cr);
          cairo_move_to (cr, lx, ly);
          cairo_set_source_rgba (cr, 1, 1, 1, 0.9);
          cairo_show_text (cr, label);
        }
      cairo_restore (cr);
    }
  if (n_panes == 2)
    {
      cairo_rectangle (cr, round (w / 2.0) - 1, 0, 2, h);
      cairo_set_source_rgba (cr, 0.5, 0.5, 0.5, 1);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
}

static void
update_content (EvsPreviewView *self)
{
  EvsPreview *preview = self->workbench ? evs_workbench_get_preview (self->workbench) : NULL;
  EvsFrame *raw = NULL;

  if (self->workbench != NULL)
    raw = evs_session_get_frame (evs_workbench_get_session (self->workbench));

  if (preview != self->preview)
    {
      g_clear_pointer (&self->kept_surface, cairo_surface_destroy);
      g_clear_pointer (&self->overlay_surface, cairo_surface_destroy);
      g_clear_pointer (&self->preview, evs_preview_unref);
      if (preview != NULL)
        {
          self->preview = evs_preview_ref (preview);
          self->kept_surface = surface_for_bytes (preview->kept->pixels, preview->kept->width,
                                                  preview->kept->height, preview->kept->stride);
          self->overlay_surface = surface_for_bytes (preview->overlay, preview->kept->width,
                                                     preview->kept->height,
                                                     preview->kept->stride);
        }
    }
  if (raw != self->raw)
    {
      g_clear_pointer (&self->raw_surface, cairo_surface_destroy);
      g_clear_pointer (&self->raw, evs_frame_unref);
      if (raw != NULL)
        {
          self->raw = evs_frame_ref (raw);
          self->raw_surface = surface_for_bytes (raw->pixels, raw->width, raw->height,
                                                 raw->stride);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
scroll_cb (EvsPreviewView           *self,
           double                    dx,
           double                    dy,
           GtkEventControllerScroll *controller)
{
  double scale = get_scale (self), sx, sy, new_zoom, wx, wy, pw, ph;
  if (!evs_preview_view_widget_to_sensor (self, 0, 0, &sx, &sy))
    return FALSE;

  /* Zoom about the widget centre of the pane */
  pw = (double) gtk_widget_get_width (GTK_WIDGET (self)) / get_n_panes (self);
  ph = gtk_widget_get_height (GTK_WIDGET (self));
  wx = pw / 2;
  wy = ph / 2;
  evs_preview_view_widget_to_sensor (self, wx, wy, &sx, &sy);
  new_zoom = CLAMP (scale * pow (1.1, -dy), MIN_ZOOM, MAX_ZOOM);
  self->center_x = sx;
  self->center_y = sy;
  self->center_set = TRUE;
  evs_preview_view_set_zoom (self, new_zoom);
  return TRUE;
}

static void
motion_cb (EvsPreviewView           *self,
           double                    x,
           double                    y,
           GtkEventControllerMotion *controller)
{
  /* Cursor: resize handle, move inside a rectangle, crosshair elsewhere */
  const EvsRoiRect *rects;
  guint n_rects;
  double sx, sy, scale = get_scale (self);
  const char *cursor = "crosshair";

  if (!evs_preview_view_widget_to_sensor (self, x, y, &sx, &sy))
    return;
  rects = get_rects (self, &n_rects);
  for (guint i = 0; i < n_rects; i++)
    {
      const EvsRoiRect *r = &rects[i];

      if (fabs (sx - (r->x_max + 1)) * scale <= HANDLE && fabs (sy - (r->y_max + 1)) * scale <= HANDLE)
        {
          cursor = "se-resize";
          break;
        }
      if (sx >= r->x_min && sx < r->x_max + 1 && sy >= r->y_min && sy < r->y_max + 1)
        cursor = "move";
    }
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), cursor);
}

static void
clamp_rect (EvsPreviewView *self,
            double          x0,
            double          y0,
            double          x1,
            double          y1,
            EvsRoiRect     *r)
{
  guint width, height;

  get_sensor_size (self, &width, &height);
  x0 = CLAMP (floor (x0), 0, width - 1.0);
  x1 = CLAMP (floor (x1), 0, width - 1.0);
  y0 = CLAMP (floor (y0), 0, height - 1.0);
  y1 = CLAMP (floor (y1), 0, height - 1.0);
  r->x_min = (guint16) MIN (x0, x1);
  r->x_max = (guint16) MAX (x0, x1);
  r->y_min = (guint16) MIN (y0, y1);
  r->y_max = (guint16) MAX (y0, y1);
}

static void
drag_begin_cb (EvsPreviewView *self,
               double          x,
               double          y,
               GtkGestureDrag *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  double sx, sy, scale = get_scale (self);
  const EvsRoiRect *rects;
  guint n_rects;

  self->drag_kind = DRAG_NONE;
  self->drag_moved = FALSE;
  if (!evs_preview_view_widget_to_sensor (self, x, y, &sx, &sy))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self));

  self->pane = pane_at (self, x);
  self->start_sx = sx;
  self->start_sy = sy;

  if (button == 2 || button == 3)
    {
      guint width, height;

      get_sensor_size (self, &width, &height);
      if (self->zoom <= 0)
        {
          self->center_x = width / 2.0;
          self->center_y = height / 2.0;
        }
      self->drag_center_x = self->center_x;
      self->drag_center_y = self->center_y;
      self->drag_kind = DRAG_PAN;
      return;
    }

  /* Button 1 (0: synthesized): a handle, a rectangle, or empty space */
  rects = get_rects (self, &n_rects);
  for (int i = (int) n_rects - 1; i >= 0; i--)
    {
      const EvsRoiRect *r = &rects[i];

      if (fabs (sx - (r->x_max + 1)) * scale <= HANDLE && fabs (sy - (r->y_max + 1)) * scale <= HANDLE)
        {
          self->drag_kind = DRAG_RESIZE;
          self->selected = i;
          self->drag_rect = *r;
          break;
        }
      if (sx >= r->x_min && sx < r->x_max + 1 && sy >= r->y_min && sy < r->y_max + 1)
        {
          self->drag_kind = DRAG_MOVE;
          self->selected = i;
          self->drag_rect = *r;
          break;
        }
    }
  if (self->drag_kind == DRAG_NONE)
    {
      self->drag_kind = DRAG_NEW;
      self->selected = -1;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_update_cb (EvsPreviewView *self,
                double          offset_x,
                double          offset_y,
                GtkGestureDrag *gesture)
{
  double scale = get_scale (self);
  double dx = offset_x / scale, dy = offset_y / scale;
  const EvsRoiRect *rects;
  guint n_rects, width, height;

  if (self->drag_kind == DRAG_NONE)
    return;
  if (!self->drag_moved && hypot (offset_x, offset_y) < 3)
    return;
  self->drag_moved = TRUE;
  get_sensor_size (self, &width, &height);

  switch (self->drag_kind)
    {
    case DRAG_PAN:
      if (self->zoom <= 0)
        {
          self->zoom = scale;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
        }
      self->center_x = self->drag_center_x - dx;
      self->center_y = self->drag_center_y - dy;
      self->center_set = TRUE;
      break;
    case DRAG_NEW:
      clamp_rect (self, self->start_sx, self->start_sy, self->start_sx + dx, self->start_sy + dy,
                  &self->drag_rect);
      break;
    case DRAG_MOVE:
      {
        const EvsRoiRect *r;
        double w, h, x0, y0;

        rects = get_rects (self, &n_rects);
        if (self->selected < 0 || (guint) self->selected >= n_rects)
          return;
        r = &rects[self->selected];
        w = r->x_max - r->x_min;
        h = r->y_max - r->y_min;
        x0 = CLAMP (round (r->x_min + dx), 0, width - 1.0 - w);
        y0 = CLAMP (round (r->y_min + dy), 0, height - 1.0 - h);
        self->drag_rect.x_min = (guint16) x0;
        self->drag_rect.x_max = (guint16) (x0 + w);
        self->drag_rect.y_min = (guint16) y0;
        self->drag_rect.y_max = (guint16) (y0 + h);
      }
      break;
    case DRAG_RESIZE:
      {
        const EvsRoiRect *r;

        rects = get_rects (self, &n_rects);
        if (self->selected < 0 || (guint) self->selected >= n_rects)
          return;
        r = &rects[self->selected];
        clamp_rect (self, r->x_min, r->y_min, r->x_max + dx, r->y_max + dy, &self->drag_rect);
      }
      break;
    case DRAG_NONE:
    default:
      break;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
drag_end_cb (EvsPreviewView *self,
             double          offset_x,
             double          offset_y,
             GtkGestureDrag *gesture)
{
  g_autoptr(GArray) rects = NULL;
  const EvsRoiRect *current;
  guint n_rects;
  DragKind kind = self->drag_kind;

  drag_update_cb (self, offset_x, offset_y, gesture);
  self->drag_kind = DRAG_NONE;
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (kind == DRAG_NONE || kind == DRAG_PAN || !self->drag_moved || self->workbench == NULL)
    return;

  /* Commit: one change of the ROI filter */
  current = get_rects (self, &n_rects);
  rects = g_array_new (FALSE, FALSE, sizeof (EvsRoiRect));
  g_array_append_vals (rects, current, n_rects);
  if (kind == DRAG_NEW)
    {
      g_array_append_val (rects, self->drag_rect);
      self->selected = rects->len - 1;
    }
  else if (self->selected >= 0 && (guint) self->selected < rects->len)
    g_array_index (rects, EvsRoiRect, self->selected) = self->drag_rect;
  evs_workbench_set_rois (self->workbench, (const EvsRoiRect *) rects->data, rects->len);
}

static void
delete_roi_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  EvsPreviewView *self = EVS_PREVIEW_VIEW (widget);
  g_autoptr(GArray) rects = NULL;
  const EvsRoiRect *current;
  guint n_rects;

  current = get_rects (self, &n_rects);
  if (self->selected < 0 || (guint) self->selected >= n_rects)
    return;
  rects = g_array_new (FALSE, FALSE, sizeof (EvsRoiRect));
  g_array_append_vals (rects, current, n_rects);
  g_array_remove_index (rects, self->selected);
  self->selected = -1;
  evs_workbench_set_rois (self->workbench, (const EvsRoiRect *) rects->data, rects->len);
}

static void
evs_preview_view_dispose (GObject *object)
{
  EvsPreviewView *self = EVS_PREVIEW_VIEW (object);

  evs_preview_view_set_workbench (self, NULL);
  g_clear_pointer (&self->kept_surface, cairo_surface_destroy);
  g_clear_pointer (&self->overlay_surface, cairo_surface_destroy);
  g_clear_pointer (&self->raw_surface, cairo_surface_destroy);
  g_clear_pointer (&self->preview, evs_preview_unref);
  g_clear_pointer (&self->raw, evs_frame_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), EVS_TYPE_PREVIEW_VIEW);

  G_OBJECT_CLASS (evs_preview_view_parent_class)->dispose (object);
}

static void
evs_preview_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  EvsPreviewView *self = EVS_PREVIEW_VIEW (object);

  switch (prop_id)
    {
    case PROP_WORKBENCH:
      g_value_set_object (value, self->workbench);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_preview_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  EvsPreviewView *self = EVS_PREVIEW_VIEW (object);

  switch (prop_id)
    {
    case PROP_WORKBENCH:
      evs_preview_view_set_workbench (self, g_value_get_object (value));
      break;
    case PROP_ZOOM:
      evs_preview_view_set_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
evs_preview_view_class_init (EvsPreviewViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = evs_preview_view_dispose;
  object_class->get_property = evs_preview_view_get_property;
  object_class->set_property = evs_preview_view_set_property;
  widget_class->snapshot = evs_preview_view_snapshot;

  properties[PROP_WORKBENCH] =
    g_param_spec_object ("workbench", NULL, NULL, EVS_TYPE_WORKBENCH,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] =
    g_param_spec_double ("zoom", NULL, NULL, 0, MAX_ZOOM, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  (void) evs_get_resource ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/evs-preview-view.ui");
  gtk_widget_class_bind_template_child (widget_class, EvsPreviewView, drag_gesture);
  gtk_widget_class_bind_template_callback (widget_class, scroll_cb);
  gtk_widget_class_bind_template_callback (widget_class, motion_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_begin_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_update_cb);
  gtk_widget_class_bind_template_callback (widget_class, drag_end_cb);

  gtk_widget_class_install_action (widget_class, "roi.delete", NULL, delete_roi_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "roi.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_BackSpace, 0, "roi.delete", NULL);
  gtk_widget_class_set_css_name (widget_class, "evspreviewview");
}

static void
evs_preview_view_init (EvsPreviewView *self)
{
  self->selected = -1;
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
evs_preview_view_new (void)
{
  return g_object_new (EVS_TYPE_PREVIEW_VIEW, NULL);
}

EvsWorkbench *
evs_preview_view_get_workbench (EvsPreviewView *self)
{
  g_return_val_if_fail (EVS_IS_PREVIEW_VIEW (self), NULL);
  return self->workbench;
}

void
evs_preview_view_set_workbench (EvsPreviewView *self,
                                EvsWorkbench   *workbench)
{
  g_return_if_fail (EVS_IS_PREVIEW_VIEW (self));
  g_return_if_fail (workbench == NULL || EVS_IS_WORKBENCH (workbench));

  if (workbench == self->workbench)
    return;
  if (self->workbench != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->workbench, self);
      g_signal_handlers_disconnect_by_data (evs_workbench_get_session (self->workbench), self);
      g_signal_handlers_disconnect_by_data (evs_workbench_get_pipeline (self->workbench), self);
    }
  g_set_object (&self->workbench, workbench);
  if (workbench != NULL)
    {
      g_signal_connect_object (workbench, "notify::preview", G_CALLBACK (update_content), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (workbench, "notify::compare-mode",
                               G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (evs_workbench_get_session (workbench), "notify::frame",
                               G_CALLBACK (update_content), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (evs_workbench_get_pipeline (workbench), "changed",
                               G_CALLBACK (gtk_widget_queue_draw), self, G_CONNECT_SWAPPED);
    }
  update_content (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WORKBENCH]);
}

double
evs_preview_view_get_zoom (EvsPreviewView *self)
{
  g_return_val_if_fail (EVS_IS_PREVIEW_VIEW (self), 0);
  return self->zoom;
}

/**
 * evs_preview_view_set_zoom:
 * @zoom: widget pixels per sensor pixel, or 0 to fit
 */
void
evs_preview_view_set_zoom (EvsPreviewView *self,
                           double          zoom)
{
  g_return_if_fail (EVS_IS_PREVIEW_VIEW (self));

  zoom = zoom > 0 ? CLAMP (zoom, MIN_ZOOM, MAX_ZOOM) : 0;
  if (zoom == 0)
    self->center_set = FALSE;
  else if (!self->center_set)
    {
      /* Zooming from the fitted view (e.g. the window's zoom actions): about the middle */
      guint width, height;

      get_sensor_size (self, &width, &height);
      self->center_x = width / 2.0;
      self->center_y = height / 2.0;
      self->center_set = TRUE;
    }
  if (zoom == self->zoom)
    {
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  self->zoom = zoom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * evs_preview_view_get_selected_roi:
 *
 * Returns: the index of the selected ROI rectangle, or -1
 */
int
evs_preview_view_get_selected_roi (EvsPreviewView *self)
{
  g_return_val_if_fail (EVS_IS_PREVIEW_VIEW (self), -1);
  return self->selected;
}
