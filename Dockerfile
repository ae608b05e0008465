# syntax=docker/dockerfile:1.7
# Bookshift: multi-stage image. The app runs TypeScript through tsx (a production dependency), so there is
# no separate compile output; the check stage typechecks and lints so a broken tree never becomes an image.

ARG NODE_VERSION=20-bookworm-slim

# 1. Production dependencies only.
FROM node:${NODE_VERSION} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. Full install to typecheck and lint the sources that go into the image.
FROM node:${NODE_VERSION} AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run lint && touch /app/.checked

# 3. Runtime: non-root, production dependencies, sources, migrations.
FROM node:${NODE_VERSION} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PGLITE_DIR=/data/pglite
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --from=check --chown=node:node /app/.checked ./.checked
COPY --chown=node:node package.json package-lock.json tsconfig.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node src ./src
COPY --chown=node:node db ./db
COPY --chown=node:node public ./public
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness and database reachability: /health pings the database.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# src/index.ts applies pending migrations (MIGRATION_DATABASE_URL, else DATABASE_URL), runs the boot guard
# (refuses to serve if row-level security could be bypassed), then serves. Set SEED_DEMO=false in production.
CMD ["node", "--import", "tsx", "src/index.ts"]
