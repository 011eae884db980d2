// One workshop for an admin page: loaded once per id, errors kept and reported upwards.
import { useEffect, useState } from "react";
import { loadWorkshop, type AdminWorkshop } from "./adminApi";

export function useAdminWorkshop(workshopId: string, onError: (err: unknown) => void) {
  const [workshop, setWorkshop] = useState<AdminWorkshop | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    loadWorkshop(workshopId).then(setWorkshop, (err) => {
      setError(err);
      onError(err);
    });
  }, [workshopId, onError]);
  return { workshop, setWorkshop, error, setError };
}
