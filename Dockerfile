# Production image of the pairing portal: gunicorn serving Django, the same image runs the
# Celery worker and beat. Front-end assets come from the npm registry at build time.

FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
# The project installs only its dependencies (setuptools packages = []); the code is copied below.
RUN pip install --no-cache-dir .
COPY --from=assets /build/node_modules ./node_modules
COPY . .
# The release's name in the kept pages' key (core/page_cache.py), e.g. --build-arg BUILD_ID=$(git rev-parse HEAD);
# empty, the portal reads it from its files' sizes and times.
ARG BUILD_ID=""
ENV BUILD_ID=${BUILD_ID}
# collectstatic needs production settings; these values exist only for this build step.
RUN PORTAL_ENV=production SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 portal \
    && mkdir -p /app/media && chown -R portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
