# The bot as a container. `docker compose up` (compose.yaml) runs it with PostgreSQL; alone:
#   docker build -t briefbot .
#   docker run -d --name briefbot --env-file .env -v briefbot-data:/data \
#     -p 127.0.0.1:8080:8080 briefbot
# Chat tokens (TELEGRAM_BOT_TOKEN, or SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET) are required:
# without them and without a terminal, `briefbot run` says so and exits with status 2.
#
# The base image is an argument so the image can also be built from a local Debian image
# (`--build-arg PYTHON_IMAGE=...`); both stages use `python3 -m venv`, which both provide.
ARG PYTHON_IMAGE=python:3.12-slim

FROM ${PYTHON_IMAGE} AS builder
# Optional: wheels placed in wheels/ are used first, and `--build-arg PIP_OPTIONS=--no-index`
# builds from them alone (`pip wheel -w wheels . 'setuptools>=77'` makes such a wheelhouse).
ARG PIP_OPTIONS=
WORKDIR /src
COPY . .
RUN mkdir -p wheels \
    && python3 -m venv /opt/build \
    && /opt/build/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
        --find-links wheels ${PIP_OPTIONS} "setuptools>=77" \
    && /opt/build/bin/pip wheel --no-cache-dir --disable-pip-version-check --quiet \
        --no-deps --no-build-isolation --find-links wheels ${PIP_OPTIONS} -w /dist .

FROM ${PYTHON_IMAGE}
ARG PIP_OPTIONS=
COPY --from=builder /dist/ /tmp/dist/
COPY --from=builder /src/wheels/ /tmp/wheels/
# A fixed numeric id, so orchestrators can check "not root" without reading /etc/passwd.
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check --quiet \
        --find-links /tmp/wheels ${PIP_OPTIONS} /tmp/dist/*.whl \
    && rm -rf /tmp/dist /tmp/wheels \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home briefbot \
    && mkdir -p /data \
    && chown briefbot:briefbot /data

# BRIEFBOT_HOME holds .env (optional) and, unless DATABASE_URL says otherwise, the SQLite
# database (/data/data/briefbot.db). The web server (webhooks, /healthz, /metrics) listens on
# every interface of the container; publish the port on the host's loopback or behind a proxy.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BRIEFBOT_HOME=/data \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8080
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# The slim image has no curl; Python's urllib fails on anything but a 2xx answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('HTTP_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["briefbot"]
CMD ["run"]
