// The JSON API of thd-server, with the caller's token when one was pasted (kept in sessionStorage: gone when the
// tab closes). A public deployment (`thd serve --public`) answers reads without one; uploads always need one.

const TOKEN_KEY = 'thd.token';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token.trim());
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer of the API: its HTTP status and stable `code` (see openapi.json), and its message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

function authHeaders() {
  const token = getToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

async function failure(response) {
  let code = 'http_error';
  let text = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    code = body.error?.code ?? code;
    text = body.error?.message ?? text;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, text);
}

/** GET (or `init.method`) `/api` + `path`, the body parsed as JSON; an `ApiError` on any non-2xx answer. */
export async function api(path, init = {}) {
  const response = await fetch(`/api${path}`, {
    ...init,
    headers: { Accept: 'application/json', ...authHeaders(), ...(init.headers ?? {}) },
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** `path?key=value&...`, leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value != null && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** POSTs `file` as the request body to /api/uploads. XMLHttpRequest rather than fetch: only it reports the
 * bytes sent (`onProgress(sent, total)`). Resolves with the job the server started. */
export function upload(file, params, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', withQuery('/api/uploads', { file_name: file.name, ...params }));
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
    request.onload = () => {
      let body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // left null
      }
      if (request.status >= 200 && request.status < 300 && body) resolve(body);
      else reject(new ApiError(request.status, body?.error?.code ?? 'http_error', body?.error?.message ?? request.statusText));
    };
    request.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    request.send(file);
  });
}
