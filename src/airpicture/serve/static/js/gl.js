// WebGL2 layer for the traffic: aircraft symbols (instanced chevrons turned to their track), speed vectors (lines)
// and history dots (points). Measured in headless Chromium: a Canvas 2D path with 10,000 symbols costs ~0.8 s of
// main-thread time in software rendering, this layer ~1 ms (the rasterising happens off the main thread).
import { HISTORY } from './picture.js';

const SYMBOL_VS = `#version 300 es
layout(location = 0) in vec2 a_corner;
layout(location = 1) in vec2 a_pos;
layout(location = 2) in float a_angle;
layout(location = 3) in float a_colour;
uniform vec2 u_viewport;
uniform vec4 u_colours[8];
out vec4 v_colour;
void main() {
  float s = sin(a_angle), c = cos(a_angle);
  vec2 p = a_pos + vec2(a_corner.x * c - a_corner.y * s, a_corner.x * s + a_corner.y * c);
  gl_Position = vec4(p.x / u_viewport.x * 2.0 - 1.0, 1.0 - p.y / u_viewport.y * 2.0, 0.0, 1.0);
  v_colour = u_colours[int(a_colour)];
}`;
const POINT_VS = `#version 300 es
layout(location = 0) in vec2 a_pos;
layout(location = 1) in float a_colour;
uniform vec2 u_viewport;
uniform vec4 u_colours[8];
uniform float u_point_size;
out vec4 v_colour;
void main() {
  gl_Position = vec4(a_pos.x / u_viewport.x * 2.0 - 1.0, 1.0 - a_pos.y / u_viewport.y * 2.0, 0.0, 1.0);
  gl_PointSize = u_point_size;
  v_colour = u_colours[int(a_colour)];
}`;
const FS = `#version 300 es
precision mediump float;
in vec4 v_colour;
out vec4 colour;
void main() { colour = v_colour; }`;

// Chevron as two triangles, nose at -y (north before rotation by the track).
const CHEVRON = new Float32Array([0, -8, 5.5, 6, 0, 3, 0, -8, 0, 3, -5.5, 6]);

function hexToRgba(hex, alpha) {
  const v = parseInt(hex.slice(1), 16);
  return [((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255, alpha];
}

export class GLTraffic {
  static create(canvas, colours) {
    const gl = canvas.getContext('webgl2', { antialias: true, premultipliedAlpha: false, alpha: true });
    if (!gl) return null;
    try { return new GLTraffic(gl, canvas, colours); } catch (e) { console.warn('WebGL2 traffic layer unavailable:', e.message); return null; }
  }

  constructor(gl, canvas, colours) {
    this.gl = gl; this.canvas = canvas;
    this.symbolProgram = this.program(SYMBOL_VS, FS);
    this.pointProgram = this.program(POINT_VS, FS);
    // Colour table: classes 0..3 solid, 4..7 the same at lower alpha (coasting tracks, history, vectors).
    const table = [];
    for (const name of ['coop', 'primary', 'emergency', 'alert']) table.push(...hexToRgba(colours[name], 1));
    for (const name of ['coop', 'primary', 'emergency', 'alert']) table.push(...hexToRgba(colours[name], 0.5));
    this.colours = new Float32Array(table);
    this.corner = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, this.corner);
    gl.bufferData(gl.ARRAY_BUFFER, CHEVRON, gl.STATIC_DRAW);
    this.instances = gl.createBuffer();
    this.points = gl.createBuffer();
    this.symbolVao = gl.createVertexArray();
    gl.bindVertexArray(this.symbolVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.corner);
    gl.enableVertexAttribArray(0); gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 8, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.instances);
    for (const [loc, size, off] of [[1, 2, 0], [2, 1, 8], [3, 1, 12]]) {
      gl.enableVertexAttribArray(loc); gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 16, off); gl.vertexAttribDivisor(loc, 1);
    }
    this.pointVao = gl.createVertexArray();
    gl.bindVertexArray(this.pointVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.points);
    gl.enableVertexAttribArray(0); gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 12, 0);
    gl.enableVertexAttribArray(1); gl.vertexAttribPointer(1, 1, gl.FLOAT, false, 12, 8);
    gl.bindVertexArray(null);
    this.instanceData = new Float32Array(0);
    this.pointData = new Float32Array(0);
  }

  program(vs, fs) {
    const gl = this.gl;
    const compile = (type, src) => {
      const sh = gl.createShader(type); gl.shaderSource(sh, src); gl.compileShader(sh);
      if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(sh));
      return sh;
    };
    const p = gl.createProgram();
    gl.attachShader(p, compile(gl.VERTEX_SHADER, vs)); gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
    gl.linkProgram(p);
    if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(p));
    return p;
  }

  // Re-use the GPU buffer while it is big enough (re-allocating every update would stall the pipeline).
  upload(buffer, key, data, count) {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    if ((this[key] || 0) < count * 4) {
      this[key] = data.length * 4;
      gl.bufferData(gl.ARRAY_BUFFER, data.length * 4, gl.DYNAMIC_DRAW);
    }
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, data, 0, count);
  }

  resize(view) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.round(view.width * dpr), h = Math.round(view.height * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) { this.canvas.width = w; this.canvas.height = h; }
    this.gl.viewport(0, 0, w, h);
  }

  // px, py, cls, shown: the renderer's per-slot projection and filter; opts: vectorMin, history.
  draw(view, pic, px, py, cls, shown, opts) {
    const gl = this.gl;
    this.resize(view);
    gl.clearColor(0, 0, 0, 0); gl.clear(gl.COLOR_BUFFER_BIT);
    gl.enable(gl.BLEND); gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    const n = pic.count;
    // Points and lines share one buffer: history dots first, then vector end points.
    const perPoint = 3;
    const need = (n * HISTORY + n * 2) * perPoint;
    if (this.pointData.length < need) this.pointData = new Float32Array(Math.max(need, this.pointData.length * 2));
    const pd = this.pointData;
    let m = 0;
    if (opts.history) {
      const k = view.k, kc = view.k * view.refCos, cx = view.width / 2, cy = view.height / 2;
      for (let s = 0; s < n; s++) {
        if (!shown[s]) continue;
        const hn = pic.histN[s], base = s * HISTORY, colour = cls[s] + 4;
        for (let j = 0; j < hn; j++) {
          pd[m++] = cx + (pic.histLon[base + j] - view.lon) * kc; pd[m++] = cy - (pic.histLat[base + j] - view.lat) * k; pd[m++] = colour;
        }
      }
    }
    const historyCount = m / perPoint;
    if (opts.vectorMin > 0) {
      const pxPerDkt = 0.514444 * 60 * opts.vectorMin / 10 / 111320 * view.k;
      for (let s = 0; s < n; s++) {
        if (!shown[s] || pic.gs[s] === 65535 || pic.trk[s] === 65535) continue;
        const d = pic.gs[s] * pxPerDkt, a = pic.trk[s] * (Math.PI / 18000), colour = cls[s];
        pd[m++] = px[s]; pd[m++] = py[s]; pd[m++] = colour;
        pd[m++] = px[s] + d * Math.sin(a); pd[m++] = py[s] - d * Math.cos(a); pd[m++] = colour;
      }
    }
    const vectorCount = m / perPoint - historyCount;
    if (m) {
      gl.useProgram(this.pointProgram);
      gl.uniform2f(gl.getUniformLocation(this.pointProgram, 'u_viewport'), view.width, view.height);
      gl.uniform4fv(gl.getUniformLocation(this.pointProgram, 'u_colours'), this.colours);
      gl.uniform1f(gl.getUniformLocation(this.pointProgram, 'u_point_size'), 2.0 * (window.devicePixelRatio || 1));
      gl.bindVertexArray(this.pointVao);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.points);
      this.upload(this.points, 'pointBytes', pd, m);
      if (historyCount) gl.drawArrays(gl.POINTS, 0, historyCount);
      if (vectorCount) gl.drawArrays(gl.LINES, historyCount, vectorCount);
    }
    // Symbols: emergencies and alerts drawn last, so they stay on top.
    if (this.instanceData.length < n * 4) this.instanceData = new Float32Array(Math.max(n * 4, this.instanceData.length * 2));
    const id = this.instanceData;
    let q = 0;
    for (const pass of [0, 1]) {
      for (let s = 0; s < n; s++) {
        if (!shown[s] || (cls[s] >= 2 ? 1 : 0) !== pass) continue;
        id[q++] = px[s]; id[q++] = py[s];
        id[q++] = pic.trk[s] === 65535 ? 0 : pic.trk[s] * (Math.PI / 18000);
        id[q++] = cls[s] + ((pic.flags[s] & 3) === 2 ? 4 : 0);
      }
    }
    if (q) {
      gl.useProgram(this.symbolProgram);
      gl.uniform2f(gl.getUniformLocation(this.symbolProgram, 'u_viewport'), view.width, view.height);
      gl.uniform4fv(gl.getUniformLocation(this.symbolProgram, 'u_colours'), this.colours);
      gl.bindVertexArray(this.symbolVao);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.instances);
      this.upload(this.instances, 'instanceBytes', id, q);
      gl.drawArraysInstanced(gl.TRIANGLES, 0, 6, q / 4);
    }
    gl.bindVertexArray(null);
  }
}
