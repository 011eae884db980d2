// The children's app: a header with the group and the language toggle, the screens, a
// bottom tab bar with big targets.
import { lazy, Suspense } from "react";
import { T, LangToggle } from "../lib/i18n";
import { Link, type Route } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";
import { Home } from "./Home";
import { ClassPage } from "./ClassPage";
import { KidsSessionProvider, useKidsSession } from "./session";
import { ScanCardScreen } from "./Join";
import { AnnouncementView, LockedScreen, PhaseBanner, tabOpen, type StepTab } from "./DayOverlay";

const TrainPage = lazy(() => import("./TrainPage"));
const TryPage = lazy(() => import("./TryPage"));
const RankingPage = lazy(() => import("./RankingPage"));

function Header() {
  const { group } = useKidsSession();
  return (
    <header className="kids-header" style={group.color ? { borderBottomColor: group.color } : undefined}>
      <Link to="/" className="group-badge" data-testid="group-badge">
        <span className="group-emoji" aria-hidden="true">{group.emoji ?? "🙂"}</span>
        <span className="group-name">{group.name}</span>
      </Link>
      <LangToggle />
    </header>
  );
}

function TabBar({ current }: { current: string }) {
  const { workshop } = useKidsSession();
  const tabs = [
    { to: "/", name: "home" as StepTab, icon: "📷", label: "navHome" as const },
    { to: "/train", name: "train" as StepTab, icon: "🧠", label: "navTrain" as const },
    { to: "/try", name: "try" as StepTab, icon: "🔍", label: "navTry" as const },
    { to: "/ranking", name: "ranking" as StepTab, icon: "🏆", label: "navRanking" as const },
  ];
  return (
    <nav className="tabbar">
      {tabs.map((tab) => {
        const open = tabOpen(tab.name, workshop.phase);
        return (
          <Link key={tab.name} to={tab.to} data-testid={`tab-${tab.name}`} data-locked={!open}
                className={`tab${current === tab.name || (tab.name === "home" && current === "class") ? " tab-active" : ""}${open ? "" : " tab-locked"}`}>
            <span className="tab-icon" aria-hidden="true">{open ? tab.icon : "🔒"}</span>
            <span className="tab-label"><T k={tab.label} /></span>
            {!open && <span className="visually-hidden"> (<T k="tabLocked" />)</span>}
          </Link>
        );
      })}
    </nav>
  );
}

function Screen({ route }: { route: Route }) {
  const { workshop } = useKidsSession();
  if ((route.name === "train" || route.name === "try" || route.name === "ranking") && !tabOpen(route.name, workshop.phase)) {
    return <LockedScreen tab={route.name} />;
  }
  switch (route.name) {
    case "class":
      return <ClassPage classId={route.param} />;
    case "train":
      return <TrainPage />;
    case "try":
      return <TryPage />;
    case "ranking":
      return <RankingPage />;
    default:
      return <Home />;
  }
}

/** The phase and the instructors' announcement, on every screen. */
function DayBar() {
  const { workshop } = useKidsSession();
  return (
    <>
      <PhaseBanner phase={workshop.phase} />
      <AnnouncementView workshop={workshop} />
    </>
  );
}

export function KidsApp({ route }: { route: Route }) {
  return (
    <KidsSessionProvider
      loading={<div className="center-screen"><Spinner /><p><T k="loading" /></p></div>}
      loggedOut={<ScanCardScreen />}
      failed={(error, retry) => (
        <div className="center-screen">
          <ErrorBanner error={error} />
          <button type="button" className="big-button" onClick={retry}>↻</button>
        </div>
      )}>
      <div className="kids-app">
        <Header />
        <DayBar />
        <main className="kids-main">
          <Suspense fallback={<div className="center-screen"><Spinner /></div>}>
            <Screen route={route} />
          </Suspense>
        </main>
        <TabBar current={route.name} />
      </div>
    </KidsSessionProvider>
  );
}
